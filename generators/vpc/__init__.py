"""VPC basics and addressing: the model and its question generators."""
