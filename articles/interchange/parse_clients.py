"""Reading the ``mail_clients`` part of a help center file, and steps wherever they are written.

Steps (an intro and a list of steps) belong to a mail client as its generic
steps, or to a vendor's step override for one client (parse_vendors.py);
both are read by ``read_steps()``.
"""

from __future__ import annotations

import yaml

from articles.content.models import MailClient, Step, StepList
from articles.interchange.locations import Place
from articles.interchange.nodes import Mapping
from articles.interchange.parse_reader import Reader
from articles.interchange.schema import CLIENT_KEYS, ClientEntry, Entry, StepsEntry


def read_steps(reader: Reader, mapping: Mapping, entry: Entry) -> StepsEntry:
    """The ``intro`` and ``steps`` keys of a mail client or a step override."""
    steps = StepsEntry(place=entry.place, places=entry.places, intro=mapping.text("intro"))
    reader.clean_entry(StepList(intro=steps.intro), steps, mapping, exclude=["mail_client", "vendor"])
    for text, place in mapping.text_items("steps", "step"):
        reader.clean(Step(text=text), place.everywhere(), exclude=["step_list"])
        steps.steps.append(text)
        steps.step_places.append(place)
    return steps


def read_client(reader: Reader, node: yaml.Node, place: Place, position: int) -> ClientEntry:
    """One item of ``mail_clients``; ``position`` is its place in the list, the order pages show."""
    mapping = Mapping(reader.problems, node, place, CLIENT_KEYS, "mail client")
    entry = ClientEntry(place=place, places=mapping.places(), position=position)
    if not mapping.ok:
        return entry
    entry.slug = mapping.text("slug", required=True)
    entry.name = mapping.text("name", required=True)
    entry.short_name = mapping.text("short_name")
    entry.audience = mapping.choice("audience", MailClient.Audience, MailClient.Audience.PERSON)
    entry.description = mapping.text("description")
    reader.clean_entry(
        MailClient(**entry.values("slug", "name", "short_name", "audience", "description", "position")),
        entry,
        mapping,
    )
    steps = read_steps(reader, mapping, entry)
    # Generic steps with no intro and no step are the same as none at all.
    entry.steps = steps if steps.intro or steps.steps else None
    return entry
