"""The content models: rules an article's own fields must keep.

That a refused article is not stored, on each way one is written, is in ``test_refusals.py``.
"""

import pytest
from django.core.exceptions import ValidationError

from articles.content.models import Article

pytestmark = pytest.mark.django_db


def test_article_slug_that_shadows_a_vendor_page_is_refused(acme):
    article = Article(vendor=acme, slug="for-it", title="For IT", kind="guide")
    with pytest.raises(ValidationError) as caught:
        article.full_clean()
    assert "a page every vendor has" in " ".join(caught.value.message_dict["slug"])
