"""Revisions of everything staff edit: who, when, a comment, and the whole object with its rows.

Built on django-reversion rather than django-simple-history: reversion keeps
one revision of an object *together with* the rows it follows (a vendor with
its addresses, domains and ranges; an article with its client sections; a step
list with its steps) under one who/when/comment, which is what staff compare
and revert. simple-history keeps a history table per model, row by row, with
no notion of "this save of the vendor page".

``registry`` says what is kept; revisions are opened by
``services.changes.recording()``, which every write path already goes through.
"""
