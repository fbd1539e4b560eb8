"""Writes that change what readers see, and what each write sets off.

They sit above search because a write names its own consequences: the
vendor's "facts changed" time and the search documents it reaches.
"""
