"""Defects found in review, each pinned so it stays fixed."""

import datetime as dt

import pytest
from django.utils import timezone

from articles.models import Vendor
from tests.conftest import make_article, make_client

pytestmark = pytest.mark.django_db


def test_words_only_in_drafts_or_scheduled_articles_are_never_suggested(client, acme):
    gmail = make_client("gmail", "Gmail", steps=["Open Gmail."])
    make_article(acme, "public", clients=[gmail], title="Gmail steps", body="Open Gmail and check Spam.")
    make_article(acme, "secret", published=False, body="Zenbrightly launches soon.")
    make_article(acme, "later", published_at=timezone.now() + dt.timedelta(days=3), body="Blorptastic plans.")
    for query in ("zanbrigtly", "gmail zenbrigtly", "blorptastc gmail", "zenbrightly"):
        html = client.get("/search/", {"q": query}).content.decode().lower()
        assert "zenbrightly" not in html.replace(query, "")
        assert "blorptastic" not in html.replace(query, "")


def test_api_answers_400_for_unicode_digits(client, acme):
    response = client.get("/api/ip/1.2.3.%C2%B2")
    assert response.status_code == 400
    assert response.json()["error"]["parameter"] == "ip"


def test_renaming_a_vendor_moves_last_modified_of_its_files(client, acme):
    Vendor.objects.filter(pk=acme.pk).update(facts_changed_at=timezone.now() - dt.timedelta(days=1))
    vendor = Vendor.objects.get(pk=acme.pk)
    before = client.get("/acme/contact.vcf")["Last-Modified"]
    vendor.name = "Acme Mailing"
    vendor.save()
    response = client.get("/acme/contact.vcf", HTTP_IF_MODIFIED_SINCE=before)
    assert response.status_code == 200
    assert "Acme Mailing" in response.content.decode()
    assert response["Last-Modified"] != before


def test_ipv4_written_in_ipv6_form_is_looked_up_as_ipv4(client, acme):
    make_article(acme, "guide")
    html = client.get("/search/", {"q": "::ffff:192.0.2.10"}).content.decode()
    assert "Acme Mail" in html
    assert "192.0.2.0/24" in html
