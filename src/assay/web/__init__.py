"""The web adapter: FastAPI app factory, routes per area, server-rendered templates."""
