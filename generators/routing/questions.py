"""The routing topic's generators: route tables, internet access, NAT,
reachability, and the route-table lab."""

from __future__ import annotations

from generators.base import Generator
from generators.routing.lab import GENERATORS as LAB
from generators.routing.questions_internet import GENERATORS as INTERNET
from generators.routing.questions_reach import GENERATORS as REACH
from generators.routing.questions_routes import GENERATORS as ROUTES

GENERATORS: list[type[Generator]] = [*ROUTES, *INTERNET, *REACH, *LAB]
