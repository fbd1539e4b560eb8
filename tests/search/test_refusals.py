"""A synonym group that means nothing is refused in the admin, and nothing is stored.

The add page and the change page are both tried; each test takes every stored
synonym group before and after, counts them and compares their values. The
validation messages and their codes are pinned in ``test_analytics.py``.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from articles.search.models import Synonym

pytestmark = pytest.mark.django_db

MEANINGLESS = [
    ("allowlist", "too_few"),
    ("a, a, A", "too_few"),
    ("safe, one two three four five", "term_too_long"),
]


def stored() -> list[tuple]:
    return list(Synonym.objects.order_by("pk").values_list())


@pytest.mark.parametrize(("terms", "code"), MEANINGLESS)
def test_a_meaningless_synonym_group_is_refused_on_the_add_page_and_nothing_is_stored(
    admin_client, terms, code
):
    before = stored()
    response = admin_client.post(reverse("admin:articles_synonym_add"), {"terms": terms})
    assert response.status_code == 200
    assert [error.code for error in response.context["adminform"].form.errors.as_data()["terms"]] == [code]
    after = stored()
    assert len(after) == len(before)
    assert after == before


@pytest.mark.parametrize(("terms", "code"), MEANINGLESS)
def test_editing_a_synonym_group_into_a_meaningless_one_is_refused_and_nothing_is_stored(
    admin_client, terms, code
):
    group = Synonym.objects.create(terms="frobnicate, allowlist")
    before = stored()
    # The form as the page sends it: with the version it was opened at (admin/locking.py).
    data = {"terms": terms, "_edit_version": group.edit_version}
    response = admin_client.post(reverse("admin:articles_synonym_change", args=[group.pk]), data)
    assert response.status_code == 200
    assert [error.code for error in response.context["adminform"].form.errors.as_data()["terms"]] == [code]
    after = stored()
    assert len(after) == len(before)
    assert after == before
