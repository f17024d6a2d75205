"""All hybrid-connectivity generators: Site-to-Site VPN, CloudHub, Direct Connect."""

from __future__ import annotations

from generators.base import Generator
from generators.hybrid.questions_dx import GENERATORS as DX
from generators.hybrid.questions_vpn import GENERATORS as VPN

GENERATORS: list[type[Generator]] = [*VPN, *DX]
