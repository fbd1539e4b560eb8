"""Writing comfort in the admin: a live preview with the chosen vendor's facts, and ordering rows.

The preview is posted the way django-markdownx posts it (``content``), with
the vendor that static/js/admin-preview.js adds from the form's vendor menu.
Orderings are posted the way a browser posts the change form.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.content.models import ArticleClient, Step, StepList
from articles.content.rendering import render_markdown, render_preview, vendor_facts
from articles.facts.models import SenderAddress
from articles.services import changes
from tests.admin.forms import article_url, errors_shown, form_data, inline_row, staff_user
from tests.conftest import make_article, make_client, make_vendor

pytestmark = pytest.mark.django_db
URL = "/admin/markdownx/markdownify/"


def preview(client, content: str, vendor=None):
    url = URL if vendor is None else f"{URL}?vendor={vendor if isinstance(vendor, str) else vendor.pk}"
    return client.post(url, {"content": content})


@pytest.fixture
def smarttrak(db):
    vendor = make_vendor("smarttrak", "SmartTRAK")
    changes.written(SenderAddress.objects.create(vendor=vendor, address="info@smarttrak.com"))
    return vendor


# The preview with the vendor's facts ----------------------------------------------------------


def test_preview_with_a_vendor_chosen_shows_that_vendors_sender_address(admin_client, acme, smarttrak):
    html = preview(admin_client, "Add {{ primary_address }} from {{ vendor }}.", acme).content.decode()
    assert "alerts@acme.example" in html and "Acme Mail" in html
    assert "info@smarttrak.com" not in html and "alerts@example.com" not in html
    assert "With the facts of Acme Mail" in html


def test_preview_with_another_vendor_shows_its_own_sender_address(admin_client, acme, smarttrak):
    html = preview(admin_client, "Add {{ primary_address }}.", smarttrak).content.decode()
    assert "info@smarttrak.com" in html
    assert "alerts@acme.example" not in html


def test_preview_renders_as_the_public_page_does(admin_client, acme):
    text = "**Allow** {{ address_list }}\n\n{{ range_count }} ranges from {{ domains }}"
    facts = vendor_facts(
        acme, acme.sender_addresses.all(), acme.sender_domains.all(), acme.ip_ranges.active()
    )
    html = preview(admin_client, text, acme).content.decode()
    assert str(render_markdown(text, facts)) in html


def test_preview_of_generic_steps_says_example_facts_stand_in(admin_client, acme):
    html = admin_client.post(f"{URL}?vendor=&for=steplist", {"content": "Add {{ primary_address }}."})
    html = html.content.decode()
    assert "alerts@example.com" in html
    assert "No vendor chosen: example facts stand in" in html


def test_preview_of_an_article_for_every_vendor_shows_the_general_words_readers_get(admin_client):
    article = make_article(None, "what-is-allowlisting", body="Add {{ primary_address }}.")
    html = admin_client.post(f"{URL}?vendor=&for=article", {"content": article.body}).content.decode()
    assert "the sender's address" in html and "alerts@example.com" not in html
    assert "general words" in html
    public = admin_client.get(article.get_absolute_url()).content.decode()
    assert "Add the sender's address." in public  # what the preview showed


def test_preview_of_a_vendor_the_user_may_not_view_is_refused(acme):
    editor = staff_user("change_article")
    response = preview(editor, "Add {{ primary_address }}.", acme)
    assert response.status_code == 403
    assert "You may not view vendors" in response.content.decode()
    assert "alerts@acme.example" not in response.content.decode()


def test_preview_of_a_vendor_for_someone_who_may_view_vendors(acme):
    viewer = staff_user("change_article", "view_vendor")
    response = preview(viewer, "Add {{ primary_address }}.", acme)
    assert response.status_code == 200
    assert "alerts@acme.example" in response.content.decode()


def test_preview_of_an_unknown_vendor_is_refused_in_words(admin_client):
    response = preview(admin_client, "x", "999999")
    assert response.status_code == 400
    assert "No vendor has the number 999999" in response.content.decode()


def test_preview_of_a_vendor_that_is_not_a_number_is_refused_in_words(admin_client):
    response = preview(admin_client, "x", "acme")
    assert response.status_code == 400
    assert "must be a vendor's number, not “acme”" in response.content.decode()


@pytest.mark.parametrize("vendor", ["%C2%B2", "9" * 40, "-1"])
def test_preview_of_a_vendor_number_out_of_reach_is_refused_in_words(admin_client, vendor):
    response = preview(admin_client, "x", vendor)
    assert response.status_code == 400
    assert "must be a vendor's number" in response.content.decode()


def test_preview_of_a_vendor_that_is_not_a_number_does_not_echo_markup(admin_client):
    response = preview(admin_client, "x", "%3Cb%3E")
    assert response.status_code == 400
    assert "<b>" not in response.content.decode() and "&lt;b&gt;" in response.content.decode()


def test_preview_with_a_vendor_takes_a_fixed_number_of_queries(acme, django_assert_num_queries):
    viewer = staff_user("change_article", "view_vendor")
    for n in range(5):
        changes.written(SenderAddress.objects.create(vendor=acme, address=f"team{n}@acme.example"))
    # Session, user, the user's permissions and group permissions, the vendor,
    # its addresses, domains and ranges in force.
    with django_assert_num_queries(8):
        assert preview(viewer, "{{ addresses }} {{ domain_list }} {{ range_count }}", acme).status_code == 200


# What the save would refuse, and what the sanitiser removes -------------------------------------


def test_preview_warns_of_an_unknown_placeholder_as_the_save_would(admin_client, acme):
    html = preview(admin_client, "Hello {{ foo }} and {{ vendor }}", acme).content.decode()
    assert 'role="status"' in html
    assert "Unknown placeholder <code>{{ foo }}</code>: the save will refuse it." in html
    assert "Known: <code>{{ vendor }}</code>, <code>{{ website }}</code>" in html
    assert "Acme Mail" in html  # the rest still renders


def test_preview_of_known_placeholders_warns_of_nothing(admin_client, acme):
    html = preview(admin_client, "Hello {{ vendor }}", acme).content.decode()
    assert "preview-notice" not in html


def test_preview_says_an_image_was_removed(admin_client, acme):
    text = "See ![the junk folder](https://images.example.net/junk.png) and <img src='/static/x.png'>"
    html = preview(admin_client, text, acme).content.decode()
    assert "<img" not in html
    assert "An image was removed (<code>https://images.example.net/junk.png</code>)" in html
    assert "An image was removed (<code>/static/x.png</code>)" in html
    assert "images must be described in words" in html


def test_an_image_written_as_code_is_not_reported_as_removed():
    result = render_preview("Type `<img src=x>` or\n\n    ![a](b.png)\n")
    assert result.removed_images == []


def test_render_preview_gives_readers_html_byte_for_byte():
    text = "**Hi** {{ vendor }} ![x](https://e.example/x.png) {{ nope }} <script>x</script>"
    result = render_preview(text, {"vendor": "Acme"})
    assert result.html == render_markdown(text, {"vendor": "Acme"})
    assert result.unknown_placeholders == ["nope"]
    assert result.removed_images == ["https://e.example/x.png"]


# Equal positions are renumbered in page order ---------------------------------------------------


def test_two_sections_with_the_same_position_keep_their_order_on_the_page(admin_client, acme):
    gmail, outlook, apple = make_client("gmail"), make_client("outlook"), make_client("apple-mail")
    article = make_article(acme, "guide", clients=[gmail, outlook, apple])
    data = form_data(admin_client.get(article_url(article)), "article_form")
    # Apple Mail moved up to share Gmail's number: it stays after Gmail, as on the page.
    sections = {s.mail_client.slug: s.pk for s in ArticleClient.objects.filter(article=article)}
    data[f"{inline_row(data, 'client_sections', sections['gmail'])}-position"] = "10"
    data[f"{inline_row(data, 'client_sections', sections['outlook'])}-position"] = "30"
    data[f"{inline_row(data, 'client_sections', sections['apple-mail'])}-position"] = "10"
    response = admin_client.post(article_url(article), data)
    assert response.status_code == 302, errors_shown(response)
    assert list(
        ArticleClient.objects.filter(article=article)
        .order_by("position")
        .values_list("mail_client__slug", "position")
    ) == [("gmail", 10), ("apple-mail", 20), ("outlook", 30)]


def test_steps_with_the_same_position_are_renumbered_in_page_order(admin_client):
    make_client("gmail", steps=["Open Gmail.", "Open settings.", "Click Filters."])
    step_list = StepList.objects.get()
    url = f"/admin/articles/steplist/{step_list.pk}/change/"
    data = form_data(admin_client.get(url), "steplist_form")
    for row in ("steps-0", "steps-1", "steps-2"):
        data[f"{row}-position"] = "5"
    blank = f"steps-{data['steps-INITIAL_FORMS']}"
    data[f"{blank}-text"] = "Save."  # a new step, left without a number: last
    response = admin_client.post(url, data)
    assert response.status_code == 302, errors_shown(response)
    assert list(step_list.steps.order_by("position").values_list("position", "text")) == [
        (10, "Open Gmail."),
        (20, "Open settings."),
        (30, "Click Filters."),
        (40, "Save."),
    ]


def test_distinct_positions_are_kept_as_given(admin_client):
    make_client("gmail", steps=["Open Gmail.", "Open settings."])
    step_list = StepList.objects.get()
    url = f"/admin/articles/steplist/{step_list.pk}/change/"
    data = form_data(admin_client.get(url), "steplist_form")
    data["steps-0-position"] = "7"
    response = admin_client.post(url, data)
    assert response.status_code == 302, errors_shown(response)
    assert list(step_list.steps.order_by("position").values_list("position", "text")) == [
        (1, "Open settings."),
        (7, "Open Gmail."),
    ]


def test_renumbering_writes_one_update_per_step(admin_client):
    make_client("gmail", steps=[f"Step {n}." for n in range(6)])
    step_list = StepList.objects.get()
    url = f"/admin/articles/steplist/{step_list.pk}/change/"
    data = form_data(admin_client.get(url), "steplist_form")
    data["steps-0-position"] = data["steps-1-position"] = "1"  # Step 0 and 1 share a number.
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.post(url, data)
    assert response.status_code == 302, errors_shown(response)
    step_updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "articles_step" ')]
    assert len(step_updates) == 6
    assert list(Step.objects.order_by("position").values_list("position", "text")) == [
        (10 * (n + 1), f"Step {n}.") for n in range(6)
    ]
