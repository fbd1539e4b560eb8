"""A bad article is refused on each way one is written, and nothing is stored.

The ways in are the admin's article pages and the import command. Each test
takes every stored row of the content models before and after the refused
write, counts them and compares their values.
"""

from __future__ import annotations

import pytest

from articles.content.models import Article, ArticleClient
from articles.interchange import FORMAT
from tests.admin.forms import article_add_data, article_url, errors_shown, form_data
from tests.conftest import make_article
from tests.interchange.test_interchange import import_error

pytestmark = pytest.mark.django_db

SHADOWS = "a page every vendor has"


def stored() -> dict[str, list[tuple]]:
    """Every stored row of the article models, by primary key, as plain values."""
    return {
        model.__name__: list(model.objects.order_by("pk").values_list()) for model in (Article, ArticleClient)
    }


def assert_unchanged(before: dict[str, list[tuple]]) -> None:
    after = stored()
    assert {name: len(rows) for name, rows in after.items()} == {
        name: len(rows) for name, rows in before.items()
    }
    assert after == before


def test_an_article_slug_that_shadows_a_vendor_page_is_refused_on_the_add_page_and_nothing_is_stored(
    admin_client, acme
):
    make_article(acme, "guide")
    before = stored()
    response = admin_client.post(
        "/admin/articles/article/add/", article_add_data(admin_client, acme, slug="for-it")
    )
    assert response.status_code == 200
    assert SHADOWS in errors_shown(response)
    assert_unchanged(before)


def test_renaming_an_article_to_a_vendor_page_is_refused_and_nothing_is_stored(admin_client, acme):
    article = make_article(acme, "guide")
    data = form_data(admin_client.get(article_url(article)), "article_form")
    data.update({"slug": "for-it", "title": "Renamed"})
    before = stored()
    response = admin_client.post(article_url(article), data)
    assert response.status_code == 200
    assert SHADOWS in errors_shown(response)
    assert_unchanged(before)


def test_an_article_slug_that_shadows_a_vendor_page_is_refused_in_an_import_and_nothing_is_stored(
    tmp_path, acme
):
    make_article(acme, "guide")
    text = (
        f"format: {FORMAT}\narticles:\n"
        "  - vendor: acme\n    slug: guide\n    title: Renamed guide\n"
        "  - vendor: acme\n    slug: for-it\n    title: For IT\n"
    )
    before = stored()
    assert SHADOWS in import_error(text, tmp_path)
    assert_unchanged(before)
