"""Hybrid connectivity: Site-to-Site VPN, VPN CloudHub and Direct Connect."""
