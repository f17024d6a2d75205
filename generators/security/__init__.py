"""Security groups and network ACLs: the model, the flow walk, the lab syntax and the generators."""
