"""A guide with a person's section and an IT section, for the "Was this helpful?" tests."""

from __future__ import annotations

import pytest

from articles.content.models import Article
from tests.conftest import make_article, make_client


@pytest.fixture
def guide(acme) -> Article:
    gmail = make_client("gmail", "Gmail", steps=["Open **Settings**."])
    postfix = make_client("postfix", "Postfix", audience="it", steps=["Edit `main.cf`."])
    return make_article(acme, "allowlisting-guide", title="Allowlisting guide", clients=[gmail, postfix])
