"""Question generators over the VPC endpoint model."""

from __future__ import annotations

import random

from faker import Faker

from generators.base import Body, Distractor, Generator, multiple_choice
from generators.connectivity import model_endpoints as e
from generators.connectivity.drawing import REGIONS, hex_id, unique_names
from quizapp.questions import AnswerKind, TextSpec

_SERVICE_NAMES = {"s3": "S3", "dynamodb": "DynamoDB", "sqs": "SQS", "kms": "KMS", "sts": "STS", "ecr": "ECR"}

_MISCONCEPTION = {
    e.Reason.OTHER_SERVICE: "think one gateway endpoint serves both S3 and DynamoDB",
    e.Reason.NO_GATEWAY_ENDPOINT: "think a gateway endpoint works for any service",
    e.Reason.OTHER_REGION: "think a gateway endpoint reaches the service in every Region",
    e.Reason.ROUTE_TABLE_WITHOUT_ROUTE: "think a gateway endpoint serves every subnet of the VPC",
    e.Reason.OUTSIDE_VPC: "think on-premises or peered networks can use a VPC's gateway endpoint",
}


class GatewayEndpointFlows(Generator):
    """After adding a gateway endpoint, which flows go through it?"""

    id = "connectivity.gateway-endpoint-flows"
    version = 1
    topic = "connectivity"
    kind = AnswerKind.MULTIPLE
    note = "connectivity#gateway-endpoints"
    title = "Which traffic uses a gateway endpoint"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        service = rng.choice(("s3", "dynamodb"))
        other_gateway = "dynamodb" if service == "s3" else "s3"
        region = rng.choice(REGIONS)
        elsewhere = rng.choice([r for r in REGIONS if r != region])
        words = unique_names(fake, rng, 4, "vpc")
        vpc = words[0]
        web, app, data = (w.replace("-vpc", f"-{role}") for w, role in zip(words[1:], ("web", "app", "data"), strict=True))
        tables = {name: hex_id(rng, "rtb") for name in (web, app, data)}
        chosen = rng.sample(sorted(tables), 2)
        endpoint = e.GatewayEndpoint(service, region, frozenset(tables[n] for n in chosen))
        vpce = hex_id(rng, "vpce")
        svc = _SERVICE_NAMES[service]
        unchosen = next(n for n in sorted(tables) if n not in chosen)
        flows: list[tuple[str, e.Flow]] = [
            (f"An instance in the {chosen[0]} subnet calls {svc} in {region}", e.Flow(e.Origin.SUBNET, service, region, tables[chosen[0]])),
            (f"An instance in the {chosen[1]} subnet calls {svc} in {region}", e.Flow(e.Origin.SUBNET, service, region, tables[chosen[1]])),
            (f"An instance in the {unchosen} subnet calls {svc} in {region}", e.Flow(e.Origin.SUBNET, service, region, tables[unchosen])),
            (f"An instance in the {chosen[0]} subnet calls {svc} in {elsewhere}", e.Flow(e.Origin.SUBNET, service, elsewhere, tables[chosen[0]])),
            (
                f"An instance in the {chosen[1]} subnet calls {_SERVICE_NAMES[other_gateway]} in {region}",
                e.Flow(e.Origin.SUBNET, other_gateway, region, tables[chosen[1]]),
            ),
        ]
        plain = rng.choice(("sqs", "kms", "sts", "ecr"))
        flows.append(
            (f"An instance in the {chosen[0]} subnet calls {_SERVICE_NAMES[plain]} in {region}", e.Flow(e.Origin.SUBNET, plain, region, tables[chosen[0]]))
        )
        flows.append((f"A server on premises, over the VPN, calls {svc} in {region}", e.Flow(e.Origin.ON_PREMISES, service, region)))
        flows.append((f"An instance in a peered VPC calls {svc} in {region}", e.Flow(e.Origin.PEERED_VPC, service, region)))
        decided = [(text, flow, e.carries(endpoint, flow)) for text, flow in flows]
        answers = [text for text, _, d in decided if d.carried]
        wrong = [(text, d) for text, _, d in decided if not d.carried]
        rng.shuffle(wrong)
        distractors = [Distractor(text, _MISCONCEPTION[d.reason]) for text, d in wrong]
        table_rows = "\n".join(f"| {n} | {tables[n]} |" for n in (web, app, data))
        return Body(
            prompt=(
                f"VPC **{vpc}** in {region} has three private subnets, each with its own route table, and a NAT "
                "gateway that all three use for internet-bound traffic. The VPC also has a Site-to-Site VPN to the "
                "office and a peering connection to another VPC.\n\n"
                f"| Subnet | Route table |\n|---|---|\n{table_rows}\n\n"
                f"You create gateway endpoint `{vpce}` for {svc} in {region} and associate it with the route tables "
                f"of the {chosen[0]} and {chosen[1]} subnets.\n\n"
                f"Which flows now go through the gateway endpoint instead of the NAT gateway? Choose {len(answers)}."
            ),
            params={
                "vpc": vpc,
                "region": region,
                "subnets": {n: tables[n] for n in (web, app, data)},
                "endpoint": vpce,
                "service": svc,
                "associated": chosen,
            },
            explanation=(
                f"A gateway endpoint adds a route to {svc}'s prefix list (`pl-...`) in the route tables you "
                "associate, and nothing else: the service must be the endpoint's own (S3 or DynamoDB, one endpoint "
                "each), in the same Region, and the traffic must start in a subnet whose route table has the route. "
                "It is never extended beyond the VPC.\n\n"
                + "\n".join(f"- {text}: {'through the endpoint' if d.carried else 'not through it'} ({d.reason})." for text, _, d in decided)
            ),
            choices=multiple_choice(rng, answers, distractors),
        )


class EndpointServiceLoadBalancer(Generator):
    """Which load balancer fronts a PrivateLink endpoint service?"""

    id = "connectivity.endpoint-service-load-balancer"
    version = 1
    topic = "connectivity"
    kind = AnswerKind.TEXT
    note = "connectivity#endpoint-services"
    title = "The load balancer behind an endpoint service"

    def draw(self, rng: random.Random, fake: Faker) -> Body:
        shape = rng.choice(list(e.ServiceShape))
        provider, consumer = unique_names(fake, rng, 2, "team")
        consumers = rng.randint(3, 40)
        if shape is e.ServiceShape.APPLICATION:
            story = (
                f"The {provider} wants to offer its TCP pricing API to {consumers} consumer VPCs in other accounts "
                f"(the {consumer} among them) through AWS PrivateLink, so that consumers create interface endpoints "
                "and no VPC peering or routing between the VPCs is needed."
            )
            accepted = ("Network Load Balancer", "NLB", "a Network Load Balancer", "network load balancer (NLB)")
        else:
            story = (
                f"The {provider} runs a fleet of third-party firewall appliances and wants {consumers} VPCs (the "
                f"{consumer} among them) to send their traffic through it for inspection, with an endpoint in each "
                "consuming VPC that route tables can point at."
            )
            accepted = ("Gateway Load Balancer", "GWLB", "a Gateway Load Balancer", "gateway load balancer (GWLB)")
        answer = e.provider_load_balancer(shape)
        consumer_side = "interface endpoints" if shape is e.ServiceShape.APPLICATION else "Gateway Load Balancer endpoints"
        return Body(
            prompt=f"{story}\n\nWhich type of load balancer must the provider put in front of its endpoint service?",
            params={"provider": provider, "consumer": consumer, "consumers": consumers},
            explanation=(
                f"An endpoint service is always fronted by a load balancer in the provider's VPC: a **Network Load "
                f"Balancer** for an application that consumers reach through interface endpoints, or a **Gateway "
                f"Load Balancer** for inline appliances reached through Gateway Load Balancer endpoints. Here the "
                f"consumers use {consumer_side}, so the answer is **{answer}**."
            ),
            spec=TextSpec(accepted),
        )


GENERATORS: list[type[Generator]] = [GatewayEndpointFlows, EndpointServiceLoadBalancer]
