"""Network interfaces, Elastic IP addresses, public IPv4 pricing and VPC Flow Logs."""
