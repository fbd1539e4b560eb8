"""The documented maximum lengths of staff text, refused on each way in with nothing stored.

The limits live in ``articles/facts/limits.py``; a longer text is refused by
``full_clean()``, so the admin's forms show the message at the field and the
import names the field's line. Text written past validation is the search
index's concern (tests/search/test_index.py).
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from articles.content.models import Article, Step
from articles.facts import limits
from articles.facts.models import Vendor
from articles.search.models import Synonym
from tests.admin.forms import article_url, errors_shown, form_data, vendor_form, vendor_url
from tests.conftest import make_article, make_client
from tests.interchange.test_interchange import SAMPLE, import_error, snapshot

pytestmark = pytest.mark.django_db


def too_long(limit: int) -> str:
    return "x" * (limit + 1)


def refusal(limit: int) -> str:
    return f"This text is {limit + 1:,} characters long; it may be at most {limit:,} characters."


# The model: full_clean() refuses one character more, and takes the limit itself.


@pytest.mark.parametrize(
    ("build", "field", "limit"),
    [
        (
            lambda vendor, text: Article(vendor=vendor, title="T", slug="t", body=text),
            "body",
            limits.ARTICLE_BODY_MAX_LENGTH,
        ),
        (
            lambda vendor, text: Vendor(name="Initech", slug="initech", description=text),
            "description",
            limits.VENDOR_DESCRIPTION_MAX_LENGTH,
        ),
        (
            lambda vendor, text: Synonym(terms="spam, junk, " + text[12:]),
            "terms",
            limits.SYNONYM_TERMS_MAX_LENGTH,
        ),
    ],
    ids=["article body", "vendor description", "synonym terms"],
)
def test_full_clean_refuses_a_text_one_character_over_its_limit(acme, build, field, limit):
    build(acme, "y" * limit).clean_fields()
    with pytest.raises(ValidationError) as caught:
        build(acme, too_long(limit)).clean_fields()
    assert refusal(limit) in caught.value.message_dict[field][0]
    assert caught.value.error_dict[field][0].code == "max_length"


def test_full_clean_refuses_a_long_step_and_a_long_introduction():
    gmail = make_client("gmail", "Gmail", steps=["Open Gmail."])
    step_list = gmail.step_lists.get()
    with pytest.raises(ValidationError) as caught:
        Step(step_list=step_list, text=too_long(limits.STEP_TEXT_MAX_LENGTH)).full_clean()
    assert refusal(limits.STEP_TEXT_MAX_LENGTH) in caught.value.message_dict["text"][0]
    step_list.intro = too_long(limits.STEP_LIST_INTRO_MAX_LENGTH)
    with pytest.raises(ValidationError) as caught:
        step_list.full_clean()
    assert refusal(limits.STEP_LIST_INTRO_MAX_LENGTH) in caught.value.message_dict["intro"][0]


# The admin: the change form shows the message and stores nothing.


def test_the_article_page_refuses_a_body_over_the_limit(admin_client, acme):
    article = make_article(acme, "guide", body="Short.")
    data = form_data(admin_client.get(article_url(article)), "article_form")
    data["body"] = too_long(limits.ARTICLE_BODY_MAX_LENGTH)
    before = snapshot()
    response = admin_client.post(article_url(article), data)
    assert response.status_code == 200
    assert refusal(limits.ARTICLE_BODY_MAX_LENGTH) in errors_shown(response)
    assert snapshot() == before


def test_the_step_list_page_refuses_a_step_and_an_introduction_over_their_limits(admin_client):
    step_list = make_client("gmail", "Gmail", steps=["Open Gmail."]).step_lists.get()
    url = f"/admin/articles/steplist/{step_list.pk}/change/"
    data = form_data(admin_client.get(url), "steplist_form")
    data["intro"] = too_long(limits.STEP_LIST_INTRO_MAX_LENGTH)
    data["steps-0-text"] = too_long(limits.STEP_TEXT_MAX_LENGTH)
    before = snapshot()
    response = admin_client.post(url, data)
    assert response.status_code == 200
    shown = errors_shown(response)
    assert refusal(limits.STEP_LIST_INTRO_MAX_LENGTH) in shown
    assert refusal(limits.STEP_TEXT_MAX_LENGTH) in shown
    assert snapshot() == before


def test_the_vendor_page_refuses_a_description_over_the_limit(admin_client, acme):
    data = vendor_form(admin_client, acme)
    data["description"] = too_long(limits.VENDOR_DESCRIPTION_MAX_LENGTH)
    before = snapshot()
    response = admin_client.post(vendor_url(acme), data)
    assert response.status_code == 200
    assert refusal(limits.VENDOR_DESCRIPTION_MAX_LENGTH) in errors_shown(response)
    assert snapshot() == before


# The import: the field's line and the limit, nothing changed, no traceback.


def line_of(text: str, start: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if line.startswith(start))


def test_a_one_and_a_half_megabyte_body_is_refused_at_its_line(tmp_path, acme):
    text = SAMPLE.replace(
        "      Mail from {{ vendor }}.\n", "      " + "Mail from {{ vendor }}. " * 62_500 + "\n"
    )
    assert len(text.encode()) > 1_500_000
    message = import_error(text, tmp_path)
    line = line_of(text, "    body: |")
    assert (
        f"line {line}, articles[0] (acme/guide) > body: This text is 1,500,001 characters long; "
        "it may be at most 100,000 characters." in message
    )
    assert "Traceback" not in message


@pytest.mark.parametrize(
    ("old", "new", "where", "limit"),
    [
        (
            "    website: https://acme.example\n",
            "    website: https://acme.example\n    description: {text}\n",
            ("    description:", "vendors[0] (acme) > description"),
            limits.VENDOR_DESCRIPTION_MAX_LENGTH,
        ),
        (
            "    intro: |\n      Gmail learns from what you do.\n",
            "    intro: {text}\n",
            ("    intro:", "mail_clients[0] (gmail) > intro"),
            limits.STEP_LIST_INTRO_MAX_LENGTH,
        ),
        (
            "      - Open Gmail.\n",
            "      - {text}\n",
            ("      - xxx", "mail_clients[0] (gmail) > steps[0]"),
            limits.STEP_TEXT_MAX_LENGTH,
        ),
    ],
    ids=["vendor description", "step list intro", "step"],
)
def test_a_long_text_in_the_file_is_refused_at_its_line(tmp_path, old, new, where, limit):
    text = SAMPLE.replace(old, new.format(text=too_long(limit)))
    assert text != SAMPLE
    start, path = where
    message = import_error(text, tmp_path)
    assert f"line {line_of(text, start)}, {path}: {refusal(limit)}" in message
