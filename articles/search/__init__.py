"""Search: one API (``engine.search``), one backend per database.

Importing this package loads nothing: the engine, the index and the views are
imported from their modules by the code that uses them, so Django can load
``search.models`` while it is still loading the app's models.
"""
