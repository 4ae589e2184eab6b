"""Writes: every change to the inventory goes through these functions (admin, imports, any API)."""
