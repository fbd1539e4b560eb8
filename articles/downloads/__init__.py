"""What IT departments and readers download: range files, contact card, Gmail filter, gateway snippets.

- ``published``: the plain facts every file is written from;
- ``range_files``, ``contact``, ``snippets``: the writers, pure functions, one per format;
- ``loaders``: reading those facts from the database in a fixed number of queries;
- ``http``: read-only methods, content types, ETag and Last-Modified (the API answers with it too);
- ``views`` and ``urls``: the files, and each vendor's For IT page.
"""
