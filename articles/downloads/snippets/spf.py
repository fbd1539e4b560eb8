"""SPF: the ``ip4`` and ``ip6`` terms for a domain whose mail this vendor sends.

``ip4`` and ``ip6`` terms cost no DNS lookup, so they never count towards the
limit of 10 (RFC 7208, section 4.6.4).
"""

from __future__ import annotations

from collections.abc import Sequence

from articles.downloads.published import Facts, unique_networks
from articles.downloads.snippets.snippet import Snippet, vendor_name
from articles.facts.networks import Network
from articles.facts.networks import display as display_network

SPF_TXT_STRING_LIMIT = 255


def spf_terms(networks: Sequence[Network]) -> list[str]:
    return [f"ip{network.version}:{display_network(network)}" for network in networks]


def spf(facts: Facts) -> Snippet | None:
    networks = unique_networks(facts.ranges)
    if not networks:
        return None
    terms = spf_terms(networks)
    added = len(" ".join(terms)) + 1
    notes = [
        f"Example of a whole record: v=spf1 include:_spf.your-mail-provider.example {' '.join(terms)} ~all"
    ]
    if added > SPF_TXT_STRING_LIMIT - len("v=spf1 ~all"):
        notes.append(
            f"These terms add {added} characters. One string in a TXT record holds at most "
            f"{SPF_TXT_STRING_LIMIT}: publish a longer record as several quoted strings in the same "
            "TXT record, which receivers join without spaces."
        )
    return Snippet(
        key="spf",
        title="SPF: when your own domain is sent through this vendor",
        filename="spf-terms.txt",
        summary=(
            f"Only if {vendor_name(facts)} sends mail in your name (your domain in the From or "
            "return address): add these terms to your domain's SPF record, before its final all. "
            "Edit the one SPF record you have; a domain with two fails SPF. ip4 and ip6 terms need "
            "no DNS lookup, so they do not count towards the limit of 10 lookups (include, a, mx, "
            "ptr, exists, redirect) past which the whole record fails with a permerror."
        ),
        text=" ".join(terms) + "\n",
        notes=tuple(notes),
    )
