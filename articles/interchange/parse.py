"""Reading a help center file into plain entries, checking everything that needs no writing.

``parse()`` checks the shape of the file, every key and value (through the same
validators the admin uses: ``networks``, ``senders``, ``placeholders`` and the
models' own ``clean``, all reached through ``full_clean()``), duplicates inside
the file and references between its parts. It collects every problem before
it gives up, and each problem names its line, its place in the file and the
field.

Why the file is composed into YAML nodes rather than loaded with
``yaml.safe_load``: nodes carry their line numbers, keep a key written twice
visible instead of silently keeping the last, and keep text exactly as typed
(``name: Yes`` is the text "Yes", not the boolean true). Composing uses
PyYAML's safe loader and builds no Python objects from tags.

This module reads the file as a whole (its format, its three lists, and what
must be unique across each list); each list's items are read by
parse_clients.py, parse_vendors.py and parse_articles.py, with the state and
checks they share in parse_reader.py.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

import yaml

from articles.interchange.bounds import check_alias_expansion, check_file_size
from articles.interchange.locations import InterchangeError, Place, Problem, Problems, line_of
from articles.interchange.nodes import Mapping, scalar_value
from articles.interchange.parse_articles import read_article
from articles.interchange.parse_clients import read_client
from articles.interchange.parse_reader import Reader
from articles.interchange.parse_vendors import read_vendor
from articles.interchange.schema import FILE_KEYS, FORMAT, Entry, HelpCenterFile


def parse(
    text: str, *, stored_vendors: Collection[str] = (), stored_clients: Collection[str] = ()
) -> HelpCenterFile:
    """Read a help center file, or raise InterchangeError listing every problem in it.

    ``stored_vendors`` and ``stored_clients`` are the slugs already in the
    database: an article may refer to a vendor or mail client the file does
    not list, as long as it exists.
    """
    check_file_size(text)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise InterchangeError(
            [
                Problem(
                    mark.line + 1 if mark else None,
                    "",
                    f"This is not valid YAML ({error.problem or error.context}). Check the indentation "
                    f"on this line and the one before; text holding “: ” or starting with a quote, "
                    f"“[”, “{{”, “*” or “&” must be put in quotes.",
                    "not_yaml",
                )
            ]
        ) from None
    except yaml.YAMLError as error:
        raise InterchangeError(
            [Problem(None, "", f"This is not valid YAML ({error}).", "not_yaml")]
        ) from None
    if root is None:
        raise InterchangeError(
            [Problem(None, "", f"The file is empty; it must start with “format: {FORMAT}”.", "empty")]
        )
    check_alias_expansion(root)
    reader = Reader(stored_vendors, stored_clients)
    document = _read(reader, root)
    reader.problems.raise_if_any()
    return document


def _read(reader: Reader, root: yaml.Node) -> HelpCenterFile:
    document = HelpCenterFile()
    top = Mapping(reader.problems, root, Place(line_of(root)), FILE_KEYS, "help center file")
    if not top.ok:
        return document
    fmt = top.text("format")
    if not fmt and "format" not in top.bad:
        top.error("format", f"“format” is missing; the file must start with “format: {FORMAT}”.", "required")
    elif fmt and fmt != FORMAT:
        top.error(
            "format",
            f"“{fmt}” is not a format this help center reads; it reads “{FORMAT}”.",
            "unknown_format",
        )
    if "format" in top.bad:
        # In an unknown format, anything further would be guesswork.
        return document
    client_nodes = reader.list_items(top, "mail_clients", ("slug",))
    vendor_nodes = reader.list_items(top, "vendors", ("slug",))
    article_nodes = reader.list_items(top, "articles", ("vendor", "slug"))
    # References may point forwards in the file, so collect every slug first.
    reader.file_clients = {slug for slug in (scalar_value(node, "slug") for node, _ in client_nodes) if slug}
    reader.file_vendors = {slug for slug in (scalar_value(node, "slug") for node, _ in vendor_nodes) if slug}
    document.clients = [
        read_client(reader, node, place, position) for position, (node, place) in enumerate(client_nodes)
    ]
    document.vendors = [read_vendor(reader, node, place) for node, place in vendor_nodes]
    document.articles = [read_article(reader, node, place) for node, place in article_nodes]
    problems = reader.problems
    _check_unique(problems, document.clients, "slug", "mail client", lambda e: e.slug)
    _check_unique(problems, document.clients, "name", "mail client", lambda e: e.name)
    _check_unique(problems, document.vendors, "slug", "vendor", lambda e: e.slug)
    _check_unique(problems, document.vendors, "name", "vendor", lambda e: e.name)
    _check_unique(
        problems, document.articles, "slug", "article", lambda e: (e.vendor, e.slug) if e.slug else None
    )
    return document


def _check_unique(problems: Problems, entries: list[Entry], key: str, what: str, value: Callable) -> None:
    """Each entry's ``value`` (its slug, its name) must not be an earlier entry's."""
    first: dict = {}
    for entry in entries:
        found = value(entry)
        if not found:
            continue
        if found in first:
            earlier = first[found]
            problems.add(
                entry.place_of(key),
                f"Another {what} earlier in the file (line {earlier.line}, {earlier.path}) has the "
                f"same {key}; each {what} must be listed once.",
                "duplicate",
            )
        else:
            first[found] = entry.place
