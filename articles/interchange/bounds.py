"""How big a help center file may be, before and while it is read.

Two limits keep one file from taking the server's memory or time:

- ``MAX_FILE_BYTES``: the demo file is about 30 KB and a help center with a
  hundred vendors and their articles stays well under 1 MB; 5 MB leaves room
  for many times that while a file of that size still composes in well under
  a second.
- ``ALIAS_BUDGET``: YAML anchors (``&a``) and aliases (``*a``) let a few
  kilobytes stand for billions of nodes ("billion laughs"). Composing shares
  the aliased node, so it is cheap; reading the shared nodes once per alias is
  what costs. The format needs no aliases, but an editor may use a few, so the
  nodes aliases add, counted as if each were written out, may not exceed it;
  and the text the file stands for, aliases written out, may not exceed
  ``MAX_FILE_BYTES`` (one long text repeated by aliases is as costly to store).
"""

from __future__ import annotations

import yaml

from articles.interchange.locations import InterchangeError, Problem, line_of

MAX_FILE_BYTES = 5 * 1024 * 1024
ALIAS_BUDGET = 10_000


def check_file_size(text: str) -> None:
    """Refuse a file longer than ``MAX_FILE_BYTES`` (in UTF-8) before it is parsed."""
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size > MAX_FILE_BYTES:
        raise InterchangeError(
            [
                Problem(
                    None,
                    "",
                    f"The file is {size:,} bytes; a help center file may be at most "
                    f"{MAX_FILE_BYTES:,} bytes. Split it into several files and import each.",
                    "file_too_large",
                )
            ]
        )


def check_alias_expansion(root: yaml.Node) -> None:
    """Refuse a composed file whose aliases stand for more than ``ALIAS_BUDGET`` nodes.

    Each distinct node's expanded size is counted once (memoised by identity), so the
    check itself costs no more than the nodes actually composed.
    """
    sizes: dict[int, int] = {}
    lengths: dict[int, int] = {}
    distinct = 0
    # Iterative post-order: a deeply nested file must not exhaust Python's stack.
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if key in sizes and not children_done:
            continue
        children = _children(node)
        if not children_done:
            sizes[key] = -1  # being counted: meeting it again below means the alias refers to itself
            distinct += 1
            stack.append((node, True))
            for child in children:
                if sizes.get(id(child)) == -1:
                    _refuse(child, "An alias (“*name”) here refers to the group it is inside")
                if id(child) not in sizes:
                    stack.append((child, False))
            continue
        size = 1 + sum(sizes[id(child)] for child in children)
        sizes[key] = size
        length = len(node.value) if isinstance(node, yaml.ScalarNode) else 0
        lengths[key] = length = length + sum(lengths[id(child)] for child in children)
        if length > MAX_FILE_BYTES:
            _refuse(
                node,
                f"With its aliases (“*name”) written out, the text here is longer than "
                f"{MAX_FILE_BYTES:,} characters; write it once, without aliases",
            )
        if size - distinct > ALIAS_BUDGET:
            _refuse(
                node,
                f"The aliases (“*name”) here repeat more than {ALIAS_BUDGET:,} values; write the "
                f"values out, or use fewer aliases",
            )


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _refuse(node: yaml.Node, message: str) -> None:
    raise InterchangeError([Problem(line_of(node), "", f"{message}.", "alias_expansion")])
