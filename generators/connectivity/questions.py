"""All connectivity generators: peering, transit gateway, endpoints."""

from __future__ import annotations

from generators.base import Generator
from generators.connectivity.questions_endpoints import GENERATORS as ENDPOINTS
from generators.connectivity.questions_peering import GENERATORS as PEERING
from generators.connectivity.questions_transit import GENERATORS as TRANSIT

GENERATORS: list[type[Generator]] = [*PEERING, *TRANSIT, *ENDPOINTS]
