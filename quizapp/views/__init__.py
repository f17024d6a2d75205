"""Blueprints by area.  Views parse the request, call the engine, render."""
