"""The OpenAPI document: what it enumerates comes from the models, not a copy of them."""

from __future__ import annotations

from articles.api import openapi
from articles.content.models import Article
from articles.facts.models import IPRange


def test_article_kinds_and_range_tiers_are_the_models_choices_in_their_order():
    schemas = openapi.document()["components"]["schemas"]
    assert schemas["Article"]["properties"]["kind"]["enum"] == Article.Kind.values
    assert schemas["IPRange"]["properties"]["tier"]["enum"] == IPRange.Tier.values
    assert schemas["RangeFile"]["properties"]["prefixes"]["items"]["properties"]["tier"]["enum"] == [
        "primary",
        "additional",
    ]
