"""The endpoint model against the documented gateway endpoint rules."""

from __future__ import annotations

import pytest

from generators.connectivity import model_endpoints as e


def test_gateway_endpoints_exist_only_for_s3_and_dynamodb() -> None:
    assert e.GATEWAY_ENDPOINT_SERVICES == {"s3", "dynamodb"}
    with pytest.raises(e.EndpointError):
        e.GatewayEndpoint("sqs", "us-east-1", frozenset())


def test_gateway_endpoint_scope() -> None:
    ep = e.GatewayEndpoint("dynamodb", "eu-west-1", frozenset({"rtb-app"}))
    here = e.Flow(e.Origin.SUBNET, "dynamodb", "eu-west-1", "rtb-app")
    assert e.carries(ep, here) == e.EndpointDecision(True, e.Reason.CARRIED)
    cases = {
        e.Flow(e.Origin.SUBNET, "dynamodb", "eu-west-1", "rtb-web"): e.Reason.ROUTE_TABLE_WITHOUT_ROUTE,
        e.Flow(e.Origin.SUBNET, "dynamodb", "us-east-1", "rtb-app"): e.Reason.OTHER_REGION,
        e.Flow(e.Origin.SUBNET, "s3", "eu-west-1", "rtb-app"): e.Reason.OTHER_SERVICE,
        e.Flow(e.Origin.SUBNET, "kms", "eu-west-1", "rtb-app"): e.Reason.NO_GATEWAY_ENDPOINT,
        e.Flow(e.Origin.ON_PREMISES, "dynamodb", "eu-west-1"): e.Reason.OUTSIDE_VPC,
        e.Flow(e.Origin.PEERED_VPC, "dynamodb", "eu-west-1"): e.Reason.OUTSIDE_VPC,
    }
    for flow, reason in cases.items():
        decision = e.carries(ep, flow)
        assert not decision.carried and decision.reason is reason, flow


def test_misconception_flags_open_up_the_endpoint() -> None:
    ep = e.GatewayEndpoint("s3", "eu-west-1", frozenset({"rtb-app"}))
    assert e.carries(ep, e.Flow(e.Origin.SUBNET, "s3", "eu-west-1", "rtb-web"), whole_vpc=True).carried
    assert e.carries(ep, e.Flow(e.Origin.SUBNET, "s3", "us-west-2", "rtb-app"), any_region=True).carried
    assert e.carries(ep, e.Flow(e.Origin.SUBNET, "sqs", "eu-west-1", "rtb-app"), any_service=True).carried
    assert e.carries(ep, e.Flow(e.Origin.PEERED_VPC, "s3", "eu-west-1"), from_outside=True).carried


def test_endpoint_types_dns_and_providers() -> None:
    assert e.endpoint_type_for("s3") is e.EndpointType.GATEWAY
    assert e.endpoint_type_for("s3", from_outside_vpc=True) is e.EndpointType.INTERFACE
    assert e.endpoint_type_for("sqs") is e.EndpointType.INTERFACE
    assert e.private_dns_works(True, True, True)
    assert not any(e.private_dns_works(*flags) for flags in [(False, True, True), (True, False, True), (True, True, False)])
    assert e.provider_load_balancer(e.ServiceShape.APPLICATION) == "Network Load Balancer"
    assert e.interface_endpoint_hours(2, 3, 24) == 144
