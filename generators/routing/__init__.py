"""Routing, gateways and reachability: route tables, internet access, NAT, the reachability walk."""
