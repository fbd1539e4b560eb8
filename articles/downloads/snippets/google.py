"""Google Workspace: the Gmail Email allowlist, and an approved senders list.

The Email allowlist takes single addresses and CIDR ranges separated by
commas. An approved senders list matches the From address, which a forger can
also write, so the IP allowlist comes first.
"""

from __future__ import annotations

from articles.downloads.published import Facts, unique_networks
from articles.downloads.snippets.snippet import Snippet, left_out_note, sender_patterns
from articles.facts.networks import display as display_network

GOOGLE_ALLOWLIST_PATH = (
    "Admin console > Apps > Google Workspace > Gmail > Spam, phishing and malware > Email allowlist"
)
GOOGLE_SPAM_PATH = "Admin console > Apps > Google Workspace > Gmail > Spam, phishing and malware > Spam"


def google_workspace_allowlist(facts: Facts) -> Snippet | None:
    networks = unique_networks(facts.ranges)
    if not networks:
        return None
    return Snippet(
        key="google-workspace",
        title="Google Workspace: Email allowlist",
        filename="google-workspace-allowlist.txt",
        summary=(
            f"Paste into {GOOGLE_ALLOWLIST_PATH}, with the top-level organisation selected, and save. "
            "Gmail takes single addresses and CIDR ranges separated by commas; a change can take up "
            "to 24 hours to apply."
        ),
        text=", ".join(display_network(network) for network in networks) + "\n",
    )


def google_workspace_approved_senders(facts: Facts) -> Snippet | None:
    senders = sender_patterns(facts, lambda domain: domain)
    if not senders:
        return None
    return Snippet(
        key="google-workspace-senders",
        title="Google Workspace: approved senders",
        filename="google-workspace-approved-senders.txt",
        summary=(
            f"In {GOOGLE_SPAM_PATH}, add a rule that bypasses spam filters for an approved senders "
            "list, and put these addresses and domains in the list, one per line. Gmail matches them "
            "against the From address, which a forger can also write: prefer the IP allowlist."
        ),
        text="\n".join(senders) + "\n",
        notes=left_out_note(facts),
    )
