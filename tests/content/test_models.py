"""The content models: rules an article's own fields must keep.

That a refused article is not stored, on each way one is written, is in ``test_refusals.py``.
"""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from articles.content.models import Article
from tests.conftest import make_article

pytestmark = pytest.mark.django_db


def test_article_slug_that_shadows_a_vendor_page_is_refused(acme):
    article = Article(vendor=acme, slug="for-it", title="For IT", kind="guide")
    with pytest.raises(ValidationError) as caught:
        article.full_clean()
    assert "a page every vendor has" in " ".join(caught.value.message_dict["slug"])


def test_an_unpublication_time_before_the_publication_time_is_refused_and_nothing_is_stored(acme):
    article = make_article(acme, "timed")
    article.unpublish_at = article.published_at - dt.timedelta(hours=1)
    with pytest.raises(ValidationError) as refused:
        article.full_clean()
    assert refused.value.error_dict["unpublish_at"][0].code == "unpublish_before_publish"
    assert Article.objects.get(pk=article.pk).unpublish_at is None
