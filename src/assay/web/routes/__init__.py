"""Routes, one module per area. A route parses, calls one service, renders."""
