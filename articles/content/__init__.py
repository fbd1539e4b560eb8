"""Mail clients, step lists and articles: their models, placeholders, rendering and page reads.

Builds on ``facts``; imports nothing from downloads, api, search, services, admin or views.
"""
