"""The read-only JSON API and its OpenAPI document: one external contract in one place."""
