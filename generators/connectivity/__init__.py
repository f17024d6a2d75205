"""Connectivity between VPCs and to AWS services: peering, transit gateway, endpoints."""
