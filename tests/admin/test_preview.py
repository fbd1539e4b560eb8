"""The admin's live Markdown preview endpoint."""

import pytest

pytestmark = pytest.mark.django_db
URL = "/admin/markdownx/markdownify/"


def test_preview_renders_sanitised_markdown_for_staff(admin_client):
    response = admin_client.post(URL, {"content": "**Hi** {{ primary_address }} <script>x</script>"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>Hi</strong>" in html and "alerts@example.com" in html and "<script" not in html


def test_preview_without_content_is_a_clear_400(admin_client):
    response = admin_client.post(URL, {})
    assert response.status_code == 400
    assert "content" in response.content.decode()


def test_preview_is_for_staff_only(client):
    response = client.post(URL, {"content": "x"})
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_preview_refuses_get(admin_client):
    assert admin_client.get(URL).status_code == 405
