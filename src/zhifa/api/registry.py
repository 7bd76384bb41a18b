"""Routers mounted on the API root."""
