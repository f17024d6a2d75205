"""Every security generator, gathered for the registry."""

from __future__ import annotations

from generators.base import Generator
from generators.security.labs import LABS
from generators.security.questions_flow import GENERATORS as FLOW
from generators.security.questions_nacl import GENERATORS as NACL
from generators.security.questions_sg import GENERATORS as SG

GENERATORS: list[type[Generator]] = [*NACL, *FLOW, *SG, *LABS]
