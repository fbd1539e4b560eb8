"""Vendors and their facts: the models, the pure parsing of networks and senders, their reads.

The bottom layer: nothing here imports from any other part of the app.
"""
