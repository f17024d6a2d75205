"""All ENI, Elastic IP, public IPv4 and flow log generators."""

from __future__ import annotations

from generators.base import Generator
from generators.eni.questions_addresses import GENERATORS as ADDRESSES
from generators.eni.questions_flowlogs import GENERATORS as FLOW_LOGS

GENERATORS: list[type[Generator]] = [*ADDRESSES, *FLOW_LOGS]
