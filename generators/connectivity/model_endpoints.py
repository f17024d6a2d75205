"""VPC endpoints and PrivateLink: a pure rule model of which traffic an endpoint carries.

Facts encoded here (checked against AWS documentation):

- Gateway endpoints exist only for Amazon S3 and DynamoDB.  They are a
  route-table target: the endpoint adds a route whose destination is the
  service's prefix list (``pl-...``) to the route tables you choose, so only
  subnets using those tables send the service's traffic to it.  They do not
  use PrivateLink, have no security group, and cost nothing extra
  (https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html).
- A gateway endpoint serves the service in its own Region only, and cannot be
  used from outside its VPC (over peering, VPN, Direct Connect or a transit
  gateway); on-premises and other-VPC clients use interface endpoints instead
  (https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html,
  https://docs.aws.amazon.com/vpc/latest/peering/invalid-peering-configurations.html#edge-to-edge-vgw).
- An interface endpoint places a network interface, with a private IP and
  security groups, in each subnet you enable (one per Availability Zone);
  most AWS services, endpoint services and partners use it.  Private DNS
  needs the VPC attributes enableDnsSupport and enableDnsHostnames both true
  (https://docs.aws.amazon.com/vpc/latest/privatelink/privatelink-access-aws-services.html,
  https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVpcEndpoint.html).
- A provider exposes an endpoint service through a Network Load Balancer,
  or through a Gateway Load Balancer for inline appliances (consumed with a
  Gateway Load Balancer endpoint)
  (https://docs.aws.amazon.com/vpc/latest/privatelink/create-endpoint-service.html,
  https://docs.aws.amazon.com/vpc/latest/privatelink/vpce-gateway-load-balancer.html).
- Interface endpoints are billed per endpoint per Availability Zone per
  hour plus per GB processed; gateway endpoints are free
  (https://docs.aws.amazon.com/vpc/latest/privatelink/privatelink-access-aws-services.html,
  https://aws.amazon.com/privatelink/pricing/).  No prices are encoded.
- With an endpoint, the service's traffic from those subnets no longer goes
  through the internet gateway or NAT gateway
  (https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html).

>>> ep = GatewayEndpoint("s3", "eu-west-1", frozenset({"rtb-private"}))
>>> carries(ep, Flow(Origin.SUBNET, "s3", "eu-west-1", "rtb-private")).carried
True
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

GATEWAY_ENDPOINT_SERVICES: frozenset[str] = frozenset({"s3", "dynamodb"})
"""The only services with gateway endpoints."""


class EndpointError(ValueError):
    """An endpoint that AWS would not let you create."""


class EndpointType(StrEnum):
    """The kinds of VPC endpoint."""

    GATEWAY = "gateway endpoint"
    INTERFACE = "interface endpoint"
    GATEWAY_LOAD_BALANCER = "Gateway Load Balancer endpoint"


class Origin(StrEnum):
    """Where a flow toward an AWS service starts."""

    SUBNET = "a subnet of the endpoint's VPC"
    ON_PREMISES = "an on-premises network over VPN or Direct Connect"
    PEERED_VPC = "a peered VPC"


@dataclass(frozen=True)
class GatewayEndpoint:
    """A gateway endpoint: service, Region, and the route tables that got its route."""

    service: str
    region: str
    route_tables: frozenset[str]

    def __post_init__(self) -> None:
        if self.service not in GATEWAY_ENDPOINT_SERVICES:
            raise EndpointError(f"there is no gateway endpoint for {self.service}: only S3 and DynamoDB have one")


@dataclass(frozen=True)
class Flow:
    """Traffic toward `service` in `region`, from `origin` (and its route table, for subnets)."""

    origin: Origin
    service: str
    region: str
    route_table: str | None = None


class Reason(StrEnum):
    """Why a gateway endpoint does or does not carry a flow."""

    CARRIED = "the route table has the endpoint's prefix-list route"
    OTHER_SERVICE = "the endpoint serves another service"
    NO_GATEWAY_ENDPOINT = "the service has no gateway endpoint"
    OTHER_REGION = "the service is in another Region"
    ROUTE_TABLE_WITHOUT_ROUTE = "the subnet's route table has no route to the endpoint"
    OUTSIDE_VPC = "a gateway endpoint cannot be used from outside its VPC"


@dataclass(frozen=True)
class EndpointDecision:
    """Whether the endpoint carries the flow, and why."""

    carried: bool
    reason: Reason


def carries(
    endpoint: GatewayEndpoint,
    flow: Flow,
    *,
    any_service: bool = False,
    any_region: bool = False,
    whole_vpc: bool = False,
    from_outside: bool = False,
) -> EndpointDecision:
    """Does `flow` go through the gateway endpoint (instead of an IGW or NAT gateway)?

    The flags model misconceptions: `any_service` ("think a gateway endpoint
    works for any service"), `any_region` ("think a gateway endpoint reaches
    the service in every Region"), `whole_vpc` ("think a gateway endpoint
    serves every subnet of the VPC"), `from_outside` ("think on-premises or
    peered networks can use a VPC's gateway endpoint").

    >>> ep = GatewayEndpoint("s3", "us-east-1", frozenset({"rtb-a"}))
    >>> carries(ep, Flow(Origin.SUBNET, "sqs", "us-east-1", "rtb-a")).reason.name
    'NO_GATEWAY_ENDPOINT'
    >>> carries(ep, Flow(Origin.SUBNET, "s3", "us-east-1", "rtb-b")).reason.name
    'ROUTE_TABLE_WITHOUT_ROUTE'
    >>> carries(ep, Flow(Origin.ON_PREMISES, "s3", "us-east-1")).carried
    False
    """
    if flow.origin is not Origin.SUBNET and not from_outside:
        return EndpointDecision(False, Reason.OUTSIDE_VPC)
    if flow.service != endpoint.service and not any_service:
        if flow.service not in GATEWAY_ENDPOINT_SERVICES:
            return EndpointDecision(False, Reason.NO_GATEWAY_ENDPOINT)
        return EndpointDecision(False, Reason.OTHER_SERVICE)
    if flow.region != endpoint.region and not any_region:
        return EndpointDecision(False, Reason.OTHER_REGION)
    if flow.origin is Origin.SUBNET and flow.route_table not in endpoint.route_tables and not whole_vpc:
        return EndpointDecision(False, Reason.ROUTE_TABLE_WITHOUT_ROUTE)
    return EndpointDecision(True, Reason.CARRIED)


def endpoint_type_for(service: str, *, from_outside_vpc: bool = False) -> EndpointType:
    """The endpoint type to reach an AWS service privately.

    S3 and DynamoDB get a (free) gateway endpoint from inside the VPC; from
    on premises or another VPC, and for every other service, an interface
    endpoint.

    >>> endpoint_type_for("dynamodb")
    <EndpointType.GATEWAY: 'gateway endpoint'>
    >>> endpoint_type_for("s3", from_outside_vpc=True)
    <EndpointType.INTERFACE: 'interface endpoint'>
    """
    if service in GATEWAY_ENDPOINT_SERVICES and not from_outside_vpc:
        return EndpointType.GATEWAY
    return EndpointType.INTERFACE


def private_dns_works(private_dns_enabled: bool, enable_dns_support: bool, enable_dns_hostnames: bool) -> bool:
    """Does the service's default name resolve to the interface endpoint's private IPs?

    >>> private_dns_works(True, True, False)
    False
    """
    return private_dns_enabled and enable_dns_support and enable_dns_hostnames


class ServiceShape(StrEnum):
    """What a PrivateLink provider offers."""

    APPLICATION = "an application (TCP service)"
    APPLIANCES = "a fleet of inline network appliances (firewalls, inspection)"


def provider_load_balancer(shape: ServiceShape) -> str:
    """The load balancer in front of an endpoint service.

    >>> provider_load_balancer(ServiceShape.APPLIANCES)
    'Gateway Load Balancer'
    """
    return "Gateway Load Balancer" if shape is ServiceShape.APPLIANCES else "Network Load Balancer"


def interface_endpoint_hours(endpoints: int, zones: int, hours: int) -> int:
    """Billed endpoint-hours: one per endpoint, per enabled Availability Zone, per hour.

    >>> interface_endpoint_hours(3, 2, 720)
    4320
    """
    if min(endpoints, zones, hours) < 0:
        raise EndpointError("counts cannot be negative")
    return endpoints * zones * hours
