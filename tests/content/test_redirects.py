"""A published URL keeps working for ever: renames leave permanent redirects."""

import pytest

from articles.content.models import Article
from articles.facts.models import Vendor
from tests.conftest import make_article, make_vendor, publish

pytestmark = pytest.mark.django_db


def rename(obj, slug):
    obj.slug = slug
    obj.full_clean()
    obj.save()


def test_renamed_article_redirects_permanently(client, acme):
    article = make_article(acme, "old-guide")
    rename(article, "new-guide")
    response = client.get("/acme/old-guide/?utm=x")
    assert response.status_code == 301
    assert response["Location"] == "/acme/new-guide/?utm=x"
    assert client.get("/acme/new-guide/").status_code == 200


def test_renamed_vendor_redirects_hub_and_articles(client, acme):
    make_article(acme, "guide")
    rename(acme, "acme-mail")
    assert client.get("/acme/")["Location"] == "/acme-mail/"
    assert client.get("/acme/guide/")["Location"] == "/acme-mail/guide/"
    assert client.get("/acme/guide/").status_code == 301


def test_every_old_url_survives_a_chain_of_renames(client, acme):
    article = make_article(acme, "one")
    rename(article, "two")
    rename(acme, "acme-2")
    rename(article, "three")
    rename(Vendor.objects.get(pk=acme.pk), "acme-3")
    for old in ("/acme/one/", "/acme/two/", "/acme-2/two/", "/acme-2/three/", "/acme-3/one/"):
        response = client.get(old)
        assert response.status_code == 301, old
        assert response["Location"] == "/acme-3/three/", old


def test_renaming_back_reclaims_the_old_slug(client, acme):
    article = make_article(acme, "one")
    rename(article, "two")
    rename(article, "one")
    assert client.get("/acme/one/").status_code == 200
    assert client.get("/acme/two/")["Location"] == "/acme/one/"


def test_article_moved_to_another_vendor_redirects(client, acme):
    publish(acme)  # acme stays public with another article
    article = make_article(acme, "guide")
    other = make_vendor("other", public=True)
    article.vendor = other
    article.save()
    assert client.get("/acme/guide/")["Location"] == "/other/guide/"


def test_redirect_never_reveals_a_draft(client, acme):
    article = make_article(acme, "old", published=False)
    rename(article, "secret-new-name")
    response = client.get("/acme/old/")
    assert response.status_code == 404
    assert b"secret-new-name" not in response.content


def test_a_current_slug_wins_over_an_old_one(client, acme):
    first = make_article(acme, "guide", title="First")
    rename(first, "first")
    make_article(acme, "guide", title="Second")
    response = client.get("/acme/guide/")
    assert response.status_code == 200
    assert b"Second" in response.content


def test_unknown_paths_still_404(client, acme):
    assert client.get("/nobody/guide/").status_code == 404
    assert client.get("/acme/nothing/").status_code == 404


def test_general_article_rename_redirects(client):
    article = make_article(None, "old-help", show_it_section=False)
    rename(article, "new-help")
    assert client.get("/help/old-help/")["Location"] == "/help/new-help/"
    assert Article.objects.count() == 1


def test_renamed_vendor_redirect_keeps_the_trailing_slash(client, acme):
    publish(acme)
    acme.slug = "acme-mail"
    acme.save()
    response = client.get("/acme/for-it/")
    assert response.status_code == 301
    assert response["Location"] == "/acme-mail/for-it/"
