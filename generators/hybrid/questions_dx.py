"""Question generators over the Direct Connect rules: resiliency, virtual interfaces, encryption."""

from __future__ import annotations

import random

from faker import Faker

from generators.base import Body, Distractor, Generator, multiple_choice, single_choice
from generators.connectivity.drawing import hex_id
from generators.hybrid import model as h
from quizapp.questions import AnswerKind, JSONValue, TextSpec

_OPTION = {
    h.Resiliency.MAXIMUM: "Maximum resiliency (designed for a 99.99% SLA)",
    h.Resiliency.HIGH: "High resiliency (designed for a 99.9% SLA)",
    h.Resiliency.DEV_TEST: "Development and test (separate devices, but no protection against losing the location)",
    h.Resiliency.NONE: "No redundancy (one device or location failure cuts the link)",
}

_SLA_MIXUP = {
    h.Resiliency.MAXIMUM: Distractor("Maximum resiliency (designed for a 99.9% SLA)", "mix up the SLAs of the maximum and high models"),
    h.Resiliency.HIGH: Distractor("High resiliency (designed for a 99.99% SLA)", "mix up the SLAs of the maximum and high models"),
    h.Resiliency.DEV_TEST: Distractor(
        "Development and test (designed for a 99.9% SLA)", "think separate devices in one location earn an SLA"
    ),
    h.Resiliency.NONE: Distractor(
        "Development and test (separate devices, but no protection against losing the location)",
        "think one connection already has device redundancy inside AWS",
    ),
}

_TIER_SWAP = {h.Resiliency.MAXIMUM: h.Resiliency.HIGH, h.Resiliency.HIGH: h.Resiliency.MAXIMUM}

_LAYOUTS = {
    # name: connections per location, as lists of device numbers
    "max": [[1, 2], [1, 2]],
    "high": [[1], [1]],
    "high_uneven": [[1, 2], [1]],
    "high_three": [[1], [1], [1]],
    "dev_test": [[1, 2]],
    "dev_test_four": [[1, 2, 1, 2]],
    "single": [[1]],
    "same_device": [[1, 1]],
    "same_device_two_sites": [[1, 1], [1, 1]],
}


class DxResiliencyModel(Generator):
    """Which Direct Connect resiliency model does a set of connections achieve?"""

    id = "hybrid.dx-resiliency-model"
    version = 1
    topic = "hybrid"
    kind = AnswerKind.SINGLE
    note = "hybrid#resiliency-models"
    title = "Direct Connect resiliency models"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        layout = _LAYOUTS[rng.choice(sorted(_LAYOUTS))]
        words = fake.words(len(layout) + 2, unique=True)
        locations = [f"{w.title()} {rng.choice(('DC', 'LD', 'FR', 'SG', 'NY'))}{rng.randint(1, 9)}" for w in words[: len(layout)]]
        connections: list[h.DxConnection] = []
        for word, location, devices in zip(words, locations, layout, strict=False):
            for device in devices:
                connections.append(h.DxConnection(hex_id(rng, "dxcon"), location, f"{word.lower()}-device-{device}"))
        speed = rng.choice(h.DEDICATED_SPEEDS_GBPS)
        model = h.classify_resiliency(connections)
        distractors = [
            Distractor(_OPTION[h.classify_resiliency(connections, by_connection_count=True)], "judge resiliency by the number of connections alone"),
            Distractor(_OPTION[h.classify_resiliency(connections, ignore_devices=True)], "think two connections on the same AWS device are redundant"),
            Distractor(
                _OPTION[h.classify_resiliency(connections, per_location_rule=True)],
                "follow the old rule that maximum means two connections per location, whatever the number of locations",
            ),
            Distractor(
                _OPTION[h.classify_resiliency(connections, two_locations_is_maximum=True)],
                "think any layout spanning two locations is maximum resiliency",
            ),
            _SLA_MIXUP[model],
        ]
        if model in _TIER_SWAP:
            distractors.append(Distractor(_OPTION[_TIER_SWAP[model]], "think High resiliency is the top tier and Maximum the lower one"))
        rows = "\n".join(f"| {c.name} | {c.location} | {c.device} |" for c in connections)
        per_location = {c.location: sorted({d.device for d in connections if d.location == c.location}) for c in connections}
        facts = "\n".join(
            f"- {loc}: {sum(1 for c in connections if c.location == loc)} connection(s) on {len(devs)} separate device(s)"
            for loc, devs in per_location.items()
        )
        params: dict[str, JSONValue] = {
            "speed_gbps": speed,
            "connections": [{"id": c.name, "location": c.location, "device": c.device} for c in connections],
        }
        return Body(
            prompt=(
                f"A company orders these {speed} Gbps dedicated Direct Connect connections from its data centers "
                f"(the device column is the AWS Direct Connect device each connection ends on):\n\n"
                f"| Connection | Direct Connect location | AWS device |\n|---|---|---|\n{rows}\n\n"
                "Which resiliency model of the Direct Connect Resiliency Toolkit does this layout match?"
            ),
            params=params,
            explanation=(
                f"{facts}\n\n"
                "Maximum resiliency needs separate connections on separate devices in more than one location "
                "(99.99% SLA). High resiliency needs connections in more than one location (99.9% SLA). "
                "Development and test uses separate devices in one location: it survives a device failure, not "
                "the loss of the location. Connections sharing one device give no device redundancy.\n\n"
                f"So the layout matches **{_OPTION[model]}**."
            ),
            choices=single_choice(rng, _OPTION[model], distractors),
        )


_VIF_STORIES = {
    h.VifTarget.VPC_VGW: "reach the private addresses of one VPC in {region}, through that VPC's virtual private gateway",
    h.VifTarget.VPCS_DX_GATEWAY: "reach VPCs in {region} and two other Regions through one Direct Connect gateway "
    "associated with each VPC's virtual private gateway",
    h.VifTarget.TRANSIT_GATEWAY: "reach dozens of VPCs attached to a transit gateway in {region}, through a Direct "
    "Connect gateway associated with that transit gateway",
    h.VifTarget.PUBLIC_SERVICES: "reach the public endpoints of S3 and DynamoDB in {region} without going over the "
    "internet",
}


class DxVirtualInterfaceType(Generator):
    """Which virtual interface type does a Direct Connect use case need?"""

    id = "hybrid.dx-virtual-interface-type"
    version = 1
    topic = "hybrid"
    kind = AnswerKind.TEXT
    note = "hybrid#virtual-interfaces"
    title = "Choosing a Direct Connect virtual interface"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        target = rng.choice(list(h.VifTarget))
        region = rng.choice(("us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2", "eu-central-1"))
        team = f"{fake.word().lower()} team"
        vif = h.vif_for(target)
        story = _VIF_STORIES[target].format(region=region)
        accepted = (vif.value, f"{vif.value} virtual interface", f"{vif.value} VIF", f"a {vif.value} virtual interface")
        return Body(
            prompt=(
                f"The {team} has a Direct Connect connection and must {story}. Which type of virtual interface "
                "should it create: private, public or transit?"
            ),
            params={"team": team, "region": region},
            explanation=(
                "A **private** virtual interface reaches VPCs by private address, through a virtual private "
                "gateway or a Direct Connect gateway (which is global, so its VPCs can be in many Regions). A "
                "**transit** virtual interface reaches transit gateways through a Direct Connect gateway. A "
                "**public** virtual interface reaches AWS public endpoints.\n\n"
                f"The goal is to reach {target.value}, so the answer is a **{vif.value}** virtual interface."
            ),
            spec=TextSpec(accepted),
        )


_SETUPS: list[tuple[str, tuple[h.Protection, ...], str]] = [
    ("Send the traffic over the private virtual interface as it is", (h.Protection.NONE,), "think Direct Connect encrypts traffic"),
    ("Enable MACsec on the dedicated connection (both routers and the port support it)", (h.Protection.MACSEC,), ""),
    ("Run a Site-to-Site VPN to the transit gateway over a transit virtual interface", (h.Protection.IPSEC_VPN,), ""),
    ("Run a Site-to-Site VPN to the virtual private gateway over a public virtual interface", (h.Protection.IPSEC_VPN,), ""),
    ("Move to a hosted connection from a Direct Connect partner", (h.Protection.NONE,), "think a partner's hosted connection encrypts traffic for you"),
    ("Turn on jumbo frames (MTU 9001) on the private virtual interface", (h.Protection.NONE,), "confuse jumbo frames with a protection feature"),
    ("Put a Direct Connect gateway between the virtual interface and the VPCs", (h.Protection.NONE,), "think a Direct Connect gateway encrypts traffic"),
]


class DxEncryption(Generator):
    """Which setups encrypt traffic that crosses Direct Connect?"""

    id = "hybrid.dx-encryption"
    version = 1
    topic = "hybrid"
    kind = AnswerKind.MULTIPLE
    note = "hybrid#encryption"
    title = "Encrypting traffic over Direct Connect"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        speed = rng.choice(h.DEDICATED_SPEEDS_GBPS[1:])
        location = f"{fake.word().title()} {rng.choice(('DC', 'LD', 'FR'))}{rng.randint(1, 9)}"
        good = [s for s in _SETUPS if h.encrypted_in_transit(s[1])]
        bad = [s for s in _SETUPS if not h.encrypted_in_transit(s[1])]
        vpn = rng.choice([s for s in good if h.Protection.IPSEC_VPN in s[1]])
        macsec = next(s for s in good if h.Protection.MACSEC in s[1])
        answers = [macsec[0], vpn[0]]
        wrong = rng.sample(bad, 3)
        return Body(
            prompt=(
                f"A bank has a {speed} Gbps dedicated Direct Connect connection at {location} and a private "
                "virtual interface to its VPC. Auditors require the traffic between the data center and AWS to be "
                "encrypted in transit at the network layer. Which of these setups meet the requirement? Choose 2."
            ),
            params={"speed_gbps": speed, "location": location},
            explanation=(
                "Direct Connect is a private circuit but does not encrypt anything by default. Two options add "
                "encryption: MACsec on a supported dedicated connection (layer 2, between your router and the "
                "Direct Connect device), or an IPsec Site-to-Site VPN carried over the connection (over a public "
                "virtual interface to the VPN endpoints, or a private IP VPN over a transit virtual interface).\n\n"
                + "\n".join(
                    f"- {text}: {'encrypted' if h.encrypted_in_transit(p) else 'not encrypted'}."
                    for text, p, _ in [macsec, vpn, *wrong]
                )
            ),
            choices=multiple_choice(rng, answers, [Distractor(text, why) for text, _, why in wrong]),
        )


GENERATORS: list[type[Generator]] = [DxResiliencyModel, DxVirtualInterfaceType, DxEncryption]
