"""No lost edit (articles/admin/locking.py): two people, two logged-in clients, one object.

Ann opens a page; Bob saves the same object (with its form or an action); Ann
saves from what she opened. Her save is refused with nothing written, the
conflict page shows who saved since and both sides, and saving the merge it
offers keeps both people's changes.
"""

from __future__ import annotations

import html
import re
import threading

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from reversion.models import Revision, Version

from articles.content.models import Article, ArticleClient, MailClient, Step, StepList
from articles.facts.models import IPRange, Vendor
from articles.search.models import PromotedResult, Synonym
from articles.services import changes
from tests.admin.forms import (
    add_inline_row,
    article_url,
    form_data,
    inline_row,
    staff_user,
    vendor_facts,
    vendor_form,
    vendor_url,
)
from tests.conftest import make_article, make_client, make_range, make_vendor

RANGES = "/admin/articles/iprange/"
ARTICLES = "/admin/articles/article/"


def signed_in(username: str) -> Client:
    user = User.objects.create_superuser(username, f"{username}@example.com", "x")
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def ann(db) -> Client:
    return signed_in("ann")


@pytest.fixture
def bob(db) -> Client:
    return signed_in("bob")


def conflict_report(response) -> str:
    """The conflict page's report above the form, tags removed, whitespace collapsed."""
    page = response.content.decode()
    section = re.search(r'<section class="edit-conflict".*?</section>', page, re.S).group(0)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", section)).split())


def history() -> tuple[int, int]:
    return Revision.objects.count(), Version.objects.count()


def article_state(article: Article) -> tuple:
    return (
        Article.objects.filter(pk=article.pk).values_list().get(),
        list(ArticleClient.objects.filter(article=article).order_by("pk").values_list()),
        history(),
    )


def saved(response) -> bool:
    return response.status_code == 302


# A stale change form is refused, nothing is written -----------------------------------------


@pytest.fixture
def article(acme) -> Article:
    gmail = make_client("gmail", "Gmail")
    return make_article(acme, "guide", title="Allowlisting Acme", body="The body as it was.", clients=[gmail])


def test_a_stale_article_save_is_refused_and_nothing_is_written(ann, bob, article):
    mine = form_data(ann.get(article_url(article)), "article_form")
    theirs = form_data(bob.get(article_url(article)), "article_form")
    theirs["body"] = "The body as Bob wrote it."
    assert saved(bob.post(article_url(article), theirs))
    before = article_state(article)

    mine.update(title="Allowlisting Acme, by Ann", body="The body as Ann wrote it.")
    response = ann.post(article_url(article), mine)

    assert response.status_code == 409
    assert article_state(article) == before
    article.refresh_from_db()
    assert (article.title, article.body) == ("Allowlisting Acme", "The body as Bob wrote it.")


def test_the_conflict_page_shows_who_saved_since_and_both_values(ann, bob, article):
    mine = form_data(ann.get(article_url(article)), "article_form")
    theirs = form_data(bob.get(article_url(article)), "article_form")
    theirs["body"] = "The body as Bob wrote it."
    bob.post(article_url(article), theirs)

    mine.update(title="Allowlisting Acme, by Ann", body="The body as Ann wrote it.")
    report = conflict_report(ann.post(article_url(article), mine))

    assert f"Since you opened this page at version {mine['_edit_version']}" in report
    assert "bob saved it at" in report
    assert "Changed Body." in report  # the comment of Bob's revision
    conflicts = report.split("Changed on both sides")[1].split("Changed by you")[0]
    assert "Body" in conflicts
    assert "The body as Ann wrote it." in conflicts and "The body as Bob wrote it." in conflicts
    kept = report.split("Changed by you: kept in the form")[1]
    assert "Title" in kept and "Allowlisting Acme, by Ann" in kept
    for untouched in ("Publication time", "Mail client", "Slug"):  # only what differs is listed
        assert untouched not in report


def test_saving_the_merge_keeps_both_peoples_changes(ann, bob, article):
    mine = form_data(ann.get(article_url(article)), "article_form")
    theirs = form_data(bob.get(article_url(article)), "article_form")
    theirs["summary"] = "Summary by Bob."
    bob.post(article_url(article), theirs)

    mine["title"] = "Allowlisting Acme, by Ann"
    merged = form_data(ann.post(article_url(article), mine), "article_form")

    article.refresh_from_db()
    assert merged["_edit_version"] == str(article.edit_version)
    assert (merged["title"], merged["summary"]) == ("Allowlisting Acme, by Ann", "Summary by Bob.")
    assert saved(ann.post(article_url(article), merged))
    article.refresh_from_db()
    assert (article.title, article.summary) == ("Allowlisting Acme, by Ann", "Summary by Bob.")
    assert article.client_sections.count() == 1


def test_a_conflicting_field_keeps_your_value_in_the_form_and_saves_it(ann, bob, article):
    mine = form_data(ann.get(article_url(article)), "article_form")
    theirs = form_data(bob.get(article_url(article)), "article_form")
    theirs["body"] = "The body as Bob wrote it."
    bob.post(article_url(article), theirs)

    mine["body"] = "The body as Ann wrote it."
    merged = form_data(ann.post(article_url(article), mine), "article_form")
    assert merged["body"] == "The body as Ann wrote it."
    assert saved(ann.post(article_url(article), merged))
    article.refresh_from_db()
    assert article.body == "The body as Ann wrote it."


def test_a_stale_vendor_save_with_its_ranges_is_refused_and_nothing_is_written(ann, bob, acme):
    mine = vendor_form(ann, acme)
    theirs = vendor_form(bob, acme)
    first_range = acme.ip_ranges.order_by("pk").first()
    theirs[f"{inline_row(theirs, 'ip_ranges', first_range.pk)}-public_note"] = "Bob's note"
    add_inline_row(theirs, "ip_ranges", network="203.0.113.0/24", tier="primary", added_on="2026-01-01")
    assert saved(bob.post(vendor_url(acme), theirs))
    before = (vendor_facts(acme), history())

    address = acme.sender_addresses.get()
    mine[f"{inline_row(mine, 'sender_addresses', address.pk)}-used_for"] = "password resets and digests"
    add_inline_row(mine, "sender_domains", domain="mail.acme.example")
    response = ann.post(vendor_url(acme), mine)

    assert response.status_code == 409
    assert (vendor_facts(acme), history()) == before
    report = conflict_report(response)
    assert "Changed by them: taken into the form" in report and "Bob's note" in report
    assert "203.0.113.0/24" in report  # the range Bob added

    merged = form_data(response, "vendor_form")
    assert saved(ann.post(vendor_url(acme), merged))
    acme.refresh_from_db()
    assert acme.ip_ranges.get(pk=first_range.pk).public_note == "Bob's note"
    assert acme.ip_ranges.filter(network="203.0.113.0/24").exists()
    assert acme.sender_addresses.get().used_for == "password resets and digests"
    assert acme.sender_domains.filter(domain="mail.acme.example").exists()


def steplist_url(step_list: StepList) -> str:
    return f"/admin/articles/steplist/{step_list.pk}/change/"


def test_a_stale_step_list_save_is_refused_and_the_merge_keeps_both_steps(ann, bob, step_list):
    first, second = step_list.steps.order_by("position")
    mine = form_data(ann.get(steplist_url(step_list)), "steplist_form")
    theirs = form_data(bob.get(steplist_url(step_list)), "steplist_form")
    theirs[f"{inline_row(theirs, 'steps', first.pk)}-text"] = "Open Gmail in a browser."
    assert saved(bob.post(steplist_url(step_list), theirs))
    before = (list(Step.objects.order_by("pk").values_list()), history())

    mine[f"{inline_row(mine, 'steps', second.pk)}-text"] = "Open the Spam folder on the left."
    response = ann.post(steplist_url(step_list), mine)
    assert response.status_code == 409
    assert (list(Step.objects.order_by("pk").values_list()), history()) == before

    assert saved(ann.post(steplist_url(step_list), form_data(response, "steplist_form")))
    assert list(step_list.steps.order_by("position").values_list("text", flat=True)) == [
        "Open Gmail in a browser.",
        "Open the Spam folder on the left.",
    ]


@pytest.fixture
def step_list(db) -> StepList:
    step_list = make_client("gmail", "Gmail", steps=["Open Gmail.", "Open the spam folder."]).step_lists.get()
    changes.written(step_list)  # kept as a revision: the version Ann opens
    return step_list


def test_a_step_you_deleted_stays_deleted_in_the_merge(ann, bob, step_list):
    first, second = step_list.steps.order_by("position")
    mine = form_data(ann.get(steplist_url(step_list)), "steplist_form")
    theirs = form_data(bob.get(steplist_url(step_list)), "steplist_form")
    theirs[f"{inline_row(theirs, 'steps', first.pk)}-text"] = "Open Gmail in a browser."
    bob.post(steplist_url(step_list), theirs)

    mine[f"{inline_row(mine, 'steps', second.pk)}-DELETE"] = "on"
    merged = form_data(ann.post(steplist_url(step_list), mine), "steplist_form")
    assert merged[f"{inline_row(merged, 'steps', second.pk)}-DELETE"] == "on"
    assert saved(ann.post(steplist_url(step_list), merged))
    assert list(step_list.steps.values_list("text", flat=True)) == ["Open Gmail in a browser."]


def test_a_step_they_removed_that_you_changed_is_shown_not_saved_again(ann, bob, step_list):
    first, second = step_list.steps.order_by("position")
    mine = form_data(ann.get(steplist_url(step_list)), "steplist_form")
    theirs = form_data(bob.get(steplist_url(step_list)), "steplist_form")
    theirs[f"{inline_row(theirs, 'steps', second.pk)}-DELETE"] = "on"
    bob.post(steplist_url(step_list), theirs)

    mine[f"{inline_row(mine, 'steps', second.pk)}-text"] = "Open the Spam folder on the left."
    response = ann.post(steplist_url(step_list), mine)
    conflicts = conflict_report(response).split("Changed on both sides")[1]
    assert "Open the Spam folder on the left." in conflicts and "removed" in conflicts
    merged = form_data(response, "steplist_form")
    assert str(second.pk) not in [value for name, value in merged.items() if name.endswith("-id")]
    assert saved(ann.post(steplist_url(step_list), merged))
    assert list(step_list.steps.values_list("text", flat=True)) == ["Open Gmail."]


def mailclient_url(client: MailClient) -> str:
    return f"/admin/articles/mailclient/{client.pk}/change/"


def test_a_stale_mail_client_save_is_refused_and_the_merge_keeps_both(ann, bob, db):
    gmail = make_client("gmail", "Gmail")
    changes_recorded = form_data(bob.get(mailclient_url(gmail)), "mailclient_form")
    changes_recorded["description"] = "Google's mail."
    assert saved(bob.post(mailclient_url(gmail), changes_recorded))  # a revision at the version Ann opens
    mine = form_data(ann.get(mailclient_url(gmail)), "mailclient_form")
    theirs = form_data(bob.get(mailclient_url(gmail)), "mailclient_form")
    theirs["short_name"] = "Gmail web"
    assert saved(bob.post(mailclient_url(gmail), theirs))
    before = (MailClient.objects.values_list().get(pk=gmail.pk), history())

    mine["name"] = "Gmail (Google)"
    response = ann.post(mailclient_url(gmail), mine)
    assert response.status_code == 409
    assert (MailClient.objects.values_list().get(pk=gmail.pk), history()) == before

    assert saved(ann.post(mailclient_url(gmail), form_data(response, "mailclient_form")))
    gmail.refresh_from_db()
    assert (gmail.name, gmail.short_name, gmail.description) == (
        "Gmail (Google)",
        "Gmail web",
        "Google's mail.",
    )


def synonym_url(synonym: Synonym) -> str:
    return f"/admin/articles/synonym/{synonym.pk}/change/"


def test_a_stale_synonym_save_is_refused_and_without_history_the_stored_value_stays(ann, bob, db):
    # Created outside the admin: no revision at the version Ann opens, so the page cannot tell who changed what.
    synonym = Synonym.objects.create(terms="whitelist, allowlist")
    mine = form_data(ann.get(synonym_url(synonym)), "synonym_form")
    theirs = form_data(bob.get(synonym_url(synonym)), "synonym_form")
    theirs["terms"] = "whitelist, allowlist, safelist"
    assert saved(bob.post(synonym_url(synonym), theirs))
    before = (Synonym.objects.values_list().get(pk=synonym.pk), history())

    mine["terms"] = "whitelist, allowlist, safe senders"
    response = ann.post(synonym_url(synonym), mine)
    assert response.status_code == 409
    assert (Synonym.objects.values_list().get(pk=synonym.pk), history()) == before
    report = conflict_report(response)
    assert "no longer in the history" in report
    assert "whitelist, allowlist, safe senders" in report and "whitelist, allowlist, safelist" in report
    assert form_data(response, "synonym_form")["terms"] == "whitelist, allowlist, safelist"


def test_a_synonym_save_keeps_a_revision_and_moves_the_version(ann, db):
    synonym = Synonym.objects.create(terms="whitelist, allowlist")
    data = form_data(ann.get(synonym_url(synonym)), "synonym_form")
    data["terms"] = "whitelist, allowlist, safelist"
    assert saved(ann.post(synonym_url(synonym), data))
    synonym.refresh_from_db()
    assert synonym.edit_version == 2
    assert Version.objects.get_for_object(synonym).get().revision.user.username == "ann"


# A form that does not say its version ---------------------------------------------------------


@pytest.mark.parametrize("version", [None, "", "later", "0", "999"])
def test_a_form_without_a_version_it_was_loaded_from_is_refused(ann, article, version):
    data = form_data(ann.get(article_url(article)), "article_form")
    if version is None:
        del data["_edit_version"]
    else:
        data["_edit_version"] = version
    data["title"] = "A title from a forged form"
    before = article_state(article)

    response = ann.post(article_url(article), data)

    assert response.status_code == 409
    assert article_state(article) == before
    assert "did not say which version" in conflict_report(response)


# The retire action against a stale vendor form: the case of the issue --------------------------


def ranges_list(client: Client, query: str = "") -> dict:
    """The IP range list's form as a browser posts it, with no row chosen yet."""
    data = form_data(client.get(RANGES + query), "changelist-form")
    data.pop("_selected_action", None)
    return data


def retire(client: Client, data: dict, *ranges: IPRange):
    return client.post(
        RANGES,
        {**data, "action": "retire_today", "index": "0", "_selected_action": [str(r.pk) for r in ranges]},
        follow=True,
    )


@pytest.fixture
def smarttrak(db) -> Vendor:
    vendor = make_vendor("smarttrak", "SmartTRAK", public=True, description="Sales tracking.")
    make_range(vendor, "192.0.2.0/24")
    make_range(vendor, "203.0.113.5/32")
    return vendor


def test_a_range_retired_while_the_vendor_page_was_open_stays_retired(ann, bob, smarttrak):
    mine = vendor_form(ann, smarttrak)  # Ann opens SmartTRAK's page
    retired = smarttrak.ip_ranges.get(network="203.0.113.5/32")
    response = retire(bob, ranges_list(bob), retired)  # Bob retires the range
    assert "Retired 1 range as of today." in response.content.decode()
    today = timezone.localdate()

    mine["description"] = "Sales tracking and email."
    response = ann.post(vendor_url(smarttrak), mine)  # Ann changes only the description

    assert response.status_code == 409
    retired.refresh_from_db()
    assert retired.retired_on == today
    assert "203.0.113.5" not in ann.get("/smarttrak/allowlist.txt").content.decode()
    smarttrak.refresh_from_db()
    assert smarttrak.description == "Sales tracking."
    report = conflict_report(response)
    assert "bob saved it at" in report
    theirs = report.split("Changed by them: taken into the form")[1].split("Changed by you")[0]
    assert "203.0.113.5/32" in theirs and "Retired on" in theirs
    assert "Sales tracking and email." in report.split("Changed by you: kept in the form")[1]
    assert "Changed on both sides" not in report and "Added on" not in report

    merged = form_data(response, "vendor_form")
    assert merged[f"{inline_row(merged, 'ip_ranges', retired.pk)}-retired_on"] == today.isoformat()
    assert saved(ann.post(vendor_url(smarttrak), merged))

    smarttrak.refresh_from_db()
    retired.refresh_from_db()
    assert smarttrak.description == "Sales tracking and email."
    assert retired.retired_on == today
    assert "203.0.113.5" not in ann.get("/smarttrak/allowlist.txt").content.decode()
    assert "192.0.2.0/24" in ann.get("/smarttrak/allowlist.txt").content.decode()


def test_a_retirement_you_changed_yourself_is_a_conflict_with_your_value_in_the_form(ann, bob, smarttrak):
    mine = vendor_form(ann, smarttrak)
    retired = smarttrak.ip_ranges.get(network="203.0.113.5/32")
    retire(bob, ranges_list(bob), retired)

    mine[f"{inline_row(mine, 'ip_ranges', retired.pk)}-retired_on"] = "2099-01-01"
    response = ann.post(vendor_url(smarttrak), mine)
    assert response.status_code == 409
    conflicts = conflict_report(response).split("Changed on both sides")[1]
    assert "Retired on" in conflicts and "2099-01-01" in conflicts
    merged = form_data(response, "vendor_form")
    assert merged[f"{inline_row(merged, 'ip_ranges', retired.pk)}-retired_on"] == "2099-01-01"


# Actions on a list loaded before someone saved ------------------------------------------------


def test_an_action_on_rows_changed_since_the_list_was_loaded_is_refused(ann, bob, smarttrak):
    listed = ranges_list(ann)  # Ann loads the list of ranges
    data = vendor_form(bob, smarttrak)
    data["description"] = "Bob's description."
    assert saved(bob.post(vendor_url(smarttrak), data))  # Bob saves the vendor page
    before = (list(IPRange.objects.order_by("pk").values_list()), history())

    chosen = smarttrak.ip_ranges.get(network="192.0.2.0/24")
    response = retire(ann, listed, chosen)

    assert (list(IPRange.objects.order_by("pk").values_list()), history()) == before
    html = response.content.decode()
    assert "Nothing was done: “192.0.2.0/24” changed since you loaded this list." in html
    # The list now carries the new version: choosing again works.
    assert "Retired 1 range" in retire(ann, ranges_list(ann), chosen).content.decode()


def test_an_action_posted_without_the_rows_versions_is_refused(ann, smarttrak):
    chosen = smarttrak.ip_ranges.get(network="192.0.2.0/24")
    before = list(IPRange.objects.order_by("pk").values_list())
    response = ann.post(
        RANGES, {"action": "retire_today", "index": "0", "_selected_action": [str(chosen.pk)]}, follow=True
    )
    assert list(IPRange.objects.order_by("pk").values_list()) == before
    assert "did not say which version of “192.0.2.0/24” it showed" in response.content.decode()


def test_delete_selected_on_a_stale_list_is_refused_and_its_confirmation_carries_the_versions(
    ann, bob, article
):
    listed = form_data(ann.get(ARTICLES), "changelist-form")
    listed.pop("_selected_action", None)
    choose = {"action": "delete_selected", "index": "0", "_selected_action": [str(article.pk)]}
    confirmation = ann.post(ARTICLES, {**listed, **choose})
    assert confirmation.status_code == 200
    confirm = form_data(confirmation)
    assert confirm[f"_version_{article.pk}"] == str(Article.objects.get(pk=article.pk).edit_version)

    theirs = form_data(bob.get(article_url(article)), "article_form")
    theirs["title"] = "Renamed by Bob"
    assert saved(bob.post(article_url(article), theirs))
    response = ann.post(ARTICLES, confirm, follow=True)
    assert Article.objects.filter(pk=article.pk).exists()
    assert (
        "Nothing was done: “Renamed by Bob” changed since you loaded this list." in response.content.decode()
    )

    fresh = form_data(
        ann.post(ARTICLES, {**listed, **choose, f"_version_{article.pk}": theirs_version(article)})
    )
    ann.post(ARTICLES, fresh)
    assert not Article.objects.filter(pk=article.pk).exists()


def theirs_version(article: Article) -> str:
    return str(Article.objects.values_list("edit_version", flat=True).get(pk=article.pk))


# What the check costs ---------------------------------------------------------------------------


def test_a_normal_save_adds_one_query_to_lock_and_read_the_version(ann, article):
    data = form_data(ann.get(article_url(article)), "article_form")
    data["title"] = "A new title"
    with CaptureQueriesContext(connection) as captured:
        assert saved(ann.post(article_url(article), data))
    reads = [q["sql"] for q in captured if q["sql"].startswith('SELECT "articles_article"."edit_version"')]
    assert len(reads) == 1
    # The lock is the first query on the article: before Django loads it for the form.
    first = next(i for i, q in enumerate(captured) if '"articles_article"' in q["sql"])
    assert captured[first]["sql"] == reads[0]


def test_a_refused_vendor_save_costs_the_same_however_many_ranges(ann, bob):
    counts = []
    for number, ranges in enumerate((1, 8)):
        vendor = make_vendor(f"vendor-{number}")
        for n in range(ranges):
            make_range(vendor, f"45.{number}.{n}.0/24")
        mine = vendor_form(ann, vendor)
        theirs = vendor_form(bob, vendor)
        theirs["description"] = "Changed by Bob."
        bob.post(vendor_url(vendor), theirs)
        mine["website"] = "https://changed.example"
        with CaptureQueriesContext(connection) as captured:
            assert ann.post(vendor_url(vendor), mine).status_code == 409
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_a_refused_action_costs_the_same_however_many_rows(ann, bob, smarttrak):
    for n in range(3):
        make_range(smarttrak, f"45.9.{n}.0/24")
    counts = []
    for chosen in (smarttrak.ip_ranges.all()[:1], smarttrak.ip_ranges.all()):
        listed = ranges_list(ann)
        data = vendor_form(bob, smarttrak)
        data["description"] = f"Changed {len(counts)}"
        bob.post(vendor_url(smarttrak), data)
        with CaptureQueriesContext(connection) as captured:
            ann.post(
                RANGES,
                {
                    **listed,
                    "action": "retire_today",
                    "index": "0",
                    "_selected_action": [r.pk for r in chosen],
                },
            )
        counts.append(len(captured))
    assert counts[0] == counts[1]
    assert not IPRange.objects.filter(vendor=smarttrak, retired_on__isnull=False).exists()


# Every change form carries its version ----------------------------------------------------------


@pytest.mark.parametrize(
    "model", ["vendor", "iprange", "article", "steplist", "mailclient", "synonym", "promotedresult"]
)
def test_every_change_form_carries_the_version_of_what_it_shows(ann, article, model):
    objects = {
        "vendor": article.vendor,
        "iprange": article.vendor.ip_ranges.first(),
        "article": article,
        "steplist": StepList.objects.create(mail_client=article.clients.get()),
        "mailclient": article.clients.get(),
        "synonym": Synonym.objects.create(terms="spam, junk"),
        "promotedresult": PromotedResult.objects.create(query="gmail", article=article),
    }
    obj = objects[model]
    data = form_data(ann.get(f"/admin/articles/{model}/{obj.pk}/change/"), f"{model}_form")
    root = obj.vendor if model == "iprange" else obj
    root.refresh_from_db()
    assert data["_edit_version"] == str(root.edit_version)


def test_a_stale_save_of_a_ranges_own_page_is_refused_when_its_vendor_changed(ann, bob, smarttrak):
    ip_range = smarttrak.ip_ranges.get(network="203.0.113.5/32")
    url = f"{RANGES}{ip_range.pk}/change/"
    mine = form_data(ann.get(url), "iprange_form")
    retire(bob, ranges_list(bob), ip_range)

    mine["public_note"] = "Ann's note"
    response = ann.post(url, mine)

    assert response.status_code == 409
    ip_range.refresh_from_db()
    assert (ip_range.public_note, ip_range.retired_on) == ("", timezone.localdate())
    merged = form_data(response, "iprange_form")
    assert (merged["public_note"], merged["retired_on"]) == ("Ann's note", timezone.localdate().isoformat())
    assert saved(ann.post(url, merged))
    ip_range.refresh_from_db()
    assert (ip_range.public_note, ip_range.retired_on) == ("Ann's note", timezone.localdate())


# Two saves at the same moment -------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_save_waits_for_one_in_flight_and_is_then_refused(ann):
    """On PostgreSQL the root row is locked: a save arriving while another is being written waits for it
    to commit, then sees the version it moved on. (SQLite serialises writers without row locks.)"""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite lets one writer in at a time")
    vendor = make_vendor("smarttrak", "SmartTRAK", description="Sales tracking.")
    mine = vendor_form(ann, vendor)
    mine["description"] = "Sales tracking and email."
    answers: list[int] = []

    def save() -> None:
        try:
            answers.append(ann.post(vendor_url(vendor), mine).status_code)
        finally:
            connection.close()  # this thread's own connection

    with transaction.atomic():
        # Bob's save, half-way: his transaction holds the vendor row and has moved its version on.
        Vendor.objects.select_for_update().filter(pk=vendor.pk).update(edit_version=F("edit_version") + 1)
        ann_saves = threading.Thread(target=save)
        ann_saves.start()
        ann_saves.join(timeout=1.5)
        assert ann_saves.is_alive(), "Ann's save must wait for the row Bob's save holds"
    ann_saves.join(timeout=30)
    assert answers == [409]
    vendor.refresh_from_db()
    assert vendor.description == "Sales tracking."


# Bulk edits of a list ---------------------------------------------------------------------------

CLIENTS = "/admin/articles/mailclient/"


def client_positions(client: Client, **positions: int) -> dict:
    """The list of mail clients as a browser posts its bulk edit, with new positions by slug."""
    data = form_data(client.get(CLIENTS), "changelist-form")
    data.pop("_selected_action", None)
    data.pop("action", None)
    for slug, position in positions.items():
        row = inline_row(data, "form", MailClient.objects.get(slug=slug).pk)
        data[f"{row}-position"] = str(position)
    return {**data, "_save": "Save"}


def test_a_bulk_edit_of_rows_changed_since_the_list_was_loaded_is_refused(ann, bob, db):
    gmail = make_client("gmail", "Gmail")
    make_client("outlook", "Outlook", position=1)
    edit = client_positions(ann, gmail=5, outlook=6)
    theirs = form_data(bob.get(mailclient_url(gmail)), "mailclient_form")
    theirs["description"] = "Google's mail."
    assert saved(bob.post(mailclient_url(gmail), theirs))
    before = (list(MailClient.objects.order_by("pk").values_list()), history())

    response = ann.post(CLIENTS, edit, follow=True)

    assert (list(MailClient.objects.order_by("pk").values_list()), history()) == before
    assert "Nothing was done: “Gmail” changed since you loaded this list." in response.content.decode()


def test_someone_who_may_edit_but_not_delete_can_bulk_edit_a_list(db):
    make_client("gmail", "Gmail")
    # Mail clients are seen by readers: changing them needs the publishing permission (admin/roles.py).
    editor = staff_user("view_mailclient", "change_mailclient", "publish_article", username="editor")
    edit = client_positions(editor, gmail=5)
    assert "delete_selected" not in editor.get(CLIENTS).content.decode()  # no checkbox column
    assert saved(editor.post(CLIENTS, edit))
    assert MailClient.objects.get(slug="gmail").position == 5
