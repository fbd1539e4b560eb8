"""The site answers at all: a guard that every other test module builds on."""

from tests.conftest import make_article, make_client


def test_article_page_shows_vendor_facts(client, acme):
    gmail = make_client("gmail", "Gmail", steps=["Open a message from {{ primary_address }}."])
    make_article(acme, "guide", clients=[gmail], title="Allowlist Acme")
    response = client.get("/acme/guide/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="gmail"' in html
    assert "Open a message from alerts@acme.example." in html
    assert "192.0.2.0/24" in html
