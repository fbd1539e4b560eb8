"""Line breaks as browsers post them (CRLF) do not read as a change to a text nobody touched."""

from __future__ import annotations

from django.contrib.admin.models import LogEntry

from articles.content.models import Article
from articles.facts.models import Vendor
from tests.admin.forms import article_url, form_data, vendor_form, vendor_url
from tests.conftest import make_article


def test_an_untouched_body_posted_with_crlf_is_not_a_change(admin_client, acme):
    article = make_article(acme, "guide", body="First line.\n\nSecond line.")
    data = form_data(admin_client.get(article_url(article)), "article_form")
    data["body"] = data["body"].replace("\n", "\r\n")
    data["summary"] = "A new summary."
    assert admin_client.post(article_url(article), data).status_code == 302
    assert Article.objects.get(pk=article.pk).body == "First line.\n\nSecond line."
    assert LogEntry.objects.latest("pk").get_change_message() == "Changed Summary."


def test_a_description_typed_in_a_browser_is_stored_with_plain_line_breaks(admin_client, acme):
    data = vendor_form(admin_client, acme)
    data["description"] = "One.\r\nTwo."
    assert admin_client.post(vendor_url(acme), data).status_code == 302
    assert Vendor.objects.get(pk=acme.pk).description == "One.\nTwo."
