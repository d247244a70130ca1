"""Rolodex HTTP service: the FastAPI app factory, settings, errors, routers and the CLI."""
