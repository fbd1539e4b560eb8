"""Proposed fact changes: an editor's save of a public vendor waits; readers see it once a publisher applies it."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from reversion.models import Version

from articles.facts.models import IPRange, Vendor
from articles.revisions.models import FactProposal
from tests.admin.forms import add_inline_row, form_data, inline_row, paste, vendor_facts, vendor_url
from tests.conftest import make_range, make_vendor, publish

pytestmark = pytest.mark.django_db

NEW_RANGE = "203.0.113.0/24"
NEW_DESCRIPTION = "Acme sends password resets and daily digests."


def member_of(group: str, username: str) -> Client:
    user = User.objects.create_user(username, password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def editor() -> Client:
    return member_of("Editor", "edna")


@pytest.fixture
def publisher() -> Client:
    return member_of("Publisher", "pablo")


@pytest.fixture
def public_acme(acme) -> Vendor:
    publish(acme)
    return acme


def save(client: Client, vendor: Vendor, data: dict):
    return client.post(vendor_url(vendor), {**data, "_save": "Save"})


def propose(editor: Client, vendor: Vendor, network: str = NEW_RANGE, description: str = NEW_DESCRIPTION):
    """The editor opens the vendor, adds a range and changes the description, and saves."""
    data = form_data(editor.get(vendor_url(vendor)), "vendor_form")
    data["description"] = description
    add_inline_row(data, "ip_ranges", network=network, tier="primary", added_on="2026-01-01")
    return save(editor, vendor, data)


def public_surfaces(client: Client, vendor: Vendor) -> dict:
    """Everything readers get that shows the vendor's facts."""
    return {
        "allowlist": client.get(f"/{vendor.slug}/allowlist.txt").content,
        "guide": client.get(f"/{vendor.slug}/published-guide/").content,
        "hub": client.get(f"/{vendor.slug}/").content,
        "api": json.loads(client.get(f"/api/vendors/{vendor.slug}").content),
        "all ranges": client.get("/allowlist.json").content,
    }


def stored(vendor: Vendor) -> dict:
    return {**vendor_facts(vendor), "row": Vendor.objects.filter(pk=vendor.pk).values().get()}


def revisions_of(vendor: Vendor) -> int:
    return Version.objects.get_for_object(vendor).count()


# An editor's save is kept aside -----------------------------------------------------------------


def test_an_editors_save_of_a_public_vendor_is_kept_as_a_proposal_and_readers_see_nothing_of_it(
    client, editor, public_acme
):
    before, facts, history = (
        public_surfaces(client, public_acme),
        stored(public_acme),
        revisions_of(public_acme),
    )

    response = propose(editor, public_acme)

    assert response.status_code == 302
    proposal = FactProposal.objects.get(vendor=public_acme)
    assert proposal.author.username == "edna"
    assert proposal.base_edit_version == facts["row"]["edit_version"]
    assert proposal.data["description"] == [NEW_DESCRIPTION]
    assert "Changed Short description." in proposal.comment and NEW_RANGE in proposal.comment
    assert stored(public_acme) == facts
    assert revisions_of(public_acme) == history
    assert public_surfaces(client, public_acme) == before  # byte for byte, value for value
    assert NEW_RANGE.encode() not in before["allowlist"]


def test_the_editor_is_told_and_the_page_shows_the_proposal_in_their_form(editor, public_acme):
    response = propose(editor, public_acme)
    page = editor.get(response.url)
    html = page.content.decode()
    assert (
        "Saved as a proposed change: readers keep seeing the current facts until a publisher applies it."
        in html
    )
    assert "Proposed changes waiting" in html
    assert "The form below shows the proposed facts" in html
    shown = form_data(page, "vendor_form")
    assert shown["description"] == NEW_DESCRIPTION
    assert NEW_RANGE in shown.values()
    # The editor sees no Apply button; they may withdraw their own proposal.
    assert "proposal/apply/" not in html
    assert "proposal/discard/" in html


def test_a_second_save_by_an_editor_updates_the_one_proposal_and_keeps_the_first_ones_edits(
    editor, public_acme
):
    propose(editor, public_acme)
    data = form_data(editor.get(vendor_url(public_acme)), "vendor_form")  # the proposal, in the form
    data["website"] = "https://mail.acme.example"
    assert save(editor, public_acme, data).status_code == 302
    proposal = FactProposal.objects.get(vendor=public_acme)
    assert proposal.data["website"] == ["https://mail.acme.example"]
    assert proposal.data["description"] == [NEW_DESCRIPTION]
    assert NEW_RANGE in sum(proposal.data.values(), [])
    assert FactProposal.objects.count() == 1


def test_an_editors_invalid_save_shows_the_error_and_keeps_nothing(editor, public_acme):
    facts = stored(public_acme)
    response = propose(editor, public_acme, network="10.0.0.0/33")
    assert response.status_code == 200
    assert "errornote" in response.content.decode()
    assert not FactProposal.objects.exists()
    assert stored(public_acme) == facts


def test_an_editor_still_saves_a_draft_vendor_directly(editor):
    draft = make_vendor("draftco", "Draft Co")
    assert propose(editor, draft).status_code == 302
    draft.refresh_from_db()
    assert draft.description == NEW_DESCRIPTION
    assert IPRange.objects.filter(vendor=draft, network=NEW_RANGE).exists()
    assert not FactProposal.objects.exists()


def test_the_editors_paste_view_on_a_public_vendor_is_still_refused(editor, public_acme):
    facts = stored(public_acme)
    assert editor.get(vendor_url(public_acme, "ranges/paste/")).status_code == 403
    assert paste(editor, public_acme, NEW_RANGE).status_code == 403
    assert stored(public_acme) == facts


def test_an_editors_other_posts_to_a_public_vendor_stay_refused(editor, publisher, public_acme):
    # A publisher's save makes a revision to revert to.
    data = form_data(publisher.get(vendor_url(public_acme)), "vendor_form")
    data["website"] = "https://new.acme.example"
    assert save(publisher, public_acme, data).status_code == 302
    revision = Version.objects.get_for_object(public_acme).first().revision
    facts, history = stored(public_acme), revisions_of(public_acme)
    assert editor.post(vendor_url(public_acme, f"history/{revision.pk}/revert/")).status_code == 403
    assert editor.post(vendor_url(public_acme, "delete/"), {"post": "yes"}).status_code == 403
    assert stored(public_acme) == facts
    assert revisions_of(public_acme) == history
    assert not FactProposal.objects.exists()


def test_a_publishers_save_of_a_public_vendor_is_live_at_once(client, publisher, public_acme):
    assert propose(publisher, public_acme).status_code == 302
    assert not FactProposal.objects.exists()
    assert NEW_RANGE in client.get("/acme/allowlist.txt").content.decode()


# The diff, the list --------------------------------------------------------------------------------


def test_the_publisher_sees_what_the_proposal_changes(publisher, editor, public_acme):
    propose(editor, public_acme)
    data = form_data(editor.get(vendor_url(public_acme)), "vendor_form")
    changed = IPRange.objects.get(vendor=public_acme, network="198.51.100.7/32")
    data[f"{inline_row(data, 'ip_ranges', changed.pk)}-public_note"] = "Our backup relay"
    address = public_acme.sender_addresses.get()
    # A public vendor's address is retired, not deleted (its row has no delete box).
    data[f"{inline_row(data, 'sender_addresses', address.pk)}-retired_on"] = timezone.localdate().isoformat()
    assert save(editor, public_acme, data).status_code == 302

    page = publisher.get(vendor_url(public_acme))
    html = page.content.decode()
    assert "Proposed changes waiting" in html
    assert "The form below shows the current facts" in html
    assert form_data(page, "vendor_form")["description"] == ""  # the publisher edits the live facts
    assert '<th scope="row">Short description</th><td>(empty)</td><td>' + NEW_DESCRIPTION in html
    assert f"IP range {NEW_RANGE} added" in html
    assert "IP range 198.51.100.7/32 changed" in html
    assert "Our backup relay" in html
    assert "Sender address alerts@acme.example changed" in html
    assert f"adds {NEW_RANGE} to the published lists" in html
    assert "proposal/apply/" in html


def test_the_vendor_list_shows_and_filters_vendors_with_a_proposal(editor, public_acme):
    other = make_vendor("other", "Other Mail", public=True)
    propose(editor, public_acme)
    page = editor.get("/admin/articles/vendor/")
    assert "Proposed changes" in page.content.decode()
    shown = editor.get("/admin/articles/vendor/", {"proposal": "yes"}).context["cl"].result_list
    assert [vendor.pk for vendor in shown] == [public_acme.pk]
    shown = editor.get("/admin/articles/vendor/", {"proposal": "no"}).context["cl"].result_list
    assert [vendor.pk for vendor in shown] == [other.pk]


def test_the_vendor_list_queries_do_not_grow_with_proposals(editor):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert editor.get("/admin/articles/vendor/").status_code == 200
        return len(queries)

    vendors = [make_vendor(f"v{n}", public=True) for n in range(3)]
    propose(editor, vendors[0])
    one = count()
    for vendor in vendors[1:]:
        propose(editor, vendor)
    assert FactProposal.objects.count() == 3
    assert count() == one


# Applying -----------------------------------------------------------------------------------------


def test_the_publisher_applies_the_proposal_and_readers_see_it_with_a_revision(
    client, publisher, editor, public_acme
):
    propose(editor, public_acme)
    proposal = FactProposal.objects.get()
    history = revisions_of(public_acme)

    response = publisher.post(
        vendor_url(public_acme, "proposal/apply/"), {"seen": proposal.updated_at.isoformat()}
    )

    assert response.status_code == 302
    assert "Applied the proposed change" in publisher.get(response.url).content.decode()
    assert NEW_RANGE in client.get("/acme/allowlist.txt").content.decode()
    public_acme.refresh_from_db()
    assert public_acme.description == NEW_DESCRIPTION
    assert not FactProposal.objects.exists()
    versions = Version.objects.get_for_object(public_acme)
    assert versions.count() == history + 1
    revision = versions.first().revision
    assert revision.comment == "Applied the proposed change by edna"
    assert revision.user.username == "pablo"
    # The retirement dates the editor's form did not show are kept as they were.
    assert IPRange.objects.filter(vendor=public_acme, retired_on__isnull=False).count() == 0


def test_applying_keeps_a_retirement_the_editors_form_could_not_change(publisher, editor, public_acme):
    retiring = make_range(public_acme, "198.51.100.64/26", retired_on="2099-01-01")
    propose(editor, public_acme)
    publisher.post(vendor_url(public_acme, "proposal/apply/"))
    retiring.refresh_from_db()
    assert str(retiring.retired_on) == "2099-01-01"


def test_a_stale_proposal_is_refused_on_apply_and_nothing_is_written(client, publisher, editor, public_acme):
    propose(editor, public_acme)
    # A publisher changes the vendor after the proposal was made from it.
    data = form_data(publisher.get(vendor_url(public_acme)), "vendor_form")
    data["website"] = "https://new.acme.example"
    assert save(publisher, public_acme, data).status_code == 302
    facts, surfaces = stored(public_acme), public_surfaces(client, public_acme)

    response = publisher.post(vendor_url(public_acme, "proposal/apply/"), follow=True)

    html = response.content.decode()
    assert "was saved since edna proposed this change" in html
    assert "Nothing was changed" in html
    assert stored(public_acme) == facts
    assert public_surfaces(client, public_acme) == surfaces
    assert FactProposal.objects.filter(vendor=public_acme).exists()
    assert "cannot be applied as it is" in publisher.get(vendor_url(public_acme)).content.decode()


def test_a_proposal_saved_again_since_the_publisher_saw_it_is_not_applied(publisher, editor, public_acme):
    propose(editor, public_acme)
    facts = stored(public_acme)
    response = publisher.post(
        vendor_url(public_acme, "proposal/apply/"), {"seen": "2000-01-01T00:00:00+00:00"}
    )
    assert "saved again since you opened it" in publisher.get(response.url).content.decode()
    assert stored(public_acme) == facts
    assert FactProposal.objects.exists()


def test_a_forged_apply_by_an_editor_is_refused_and_writes_nothing(editor, public_acme):
    propose(editor, public_acme)
    facts, history = stored(public_acme), revisions_of(public_acme)
    assert editor.post(vendor_url(public_acme, "proposal/apply/")).status_code == 403
    assert stored(public_acme) == facts
    assert revisions_of(public_acme) == history
    assert FactProposal.objects.exists()


def test_applying_refuses_a_get(publisher, editor, public_acme):
    propose(editor, public_acme)
    assert publisher.get(vendor_url(public_acme, "proposal/apply/")).status_code == 405
    assert FactProposal.objects.exists()


def test_applying_twice_applies_once(publisher, editor, public_acme):
    propose(editor, public_acme)
    publisher.post(vendor_url(public_acme, "proposal/apply/"))
    history = revisions_of(public_acme)
    response = publisher.post(vendor_url(public_acme, "proposal/apply/"), follow=True)
    assert "already applied or discarded" in response.content.decode()
    assert revisions_of(public_acme) == history
    assert IPRange.objects.filter(vendor=public_acme, network=NEW_RANGE).count() == 1


# Discarding ---------------------------------------------------------------------------------------


def test_a_publisher_discards_a_proposal_and_the_facts_are_as_they_were(
    client, publisher, editor, public_acme
):
    surfaces, facts = public_surfaces(client, public_acme), stored(public_acme)
    propose(editor, public_acme)
    response = publisher.post(vendor_url(public_acme, "proposal/discard/"), follow=True)
    assert "Discarded the proposed change" in response.content.decode()
    assert not FactProposal.objects.exists()
    assert stored(public_acme) == facts
    assert public_surfaces(client, public_acme) == surfaces


def test_the_author_withdraws_their_own_proposal_but_another_editor_may_not(editor, public_acme):
    propose(editor, public_acme)
    other = member_of("Editor", "otto")
    assert other.post(vendor_url(public_acme, "proposal/discard/")).status_code == 403
    assert FactProposal.objects.exists()
    assert editor.post(vendor_url(public_acme, "proposal/discard/")).status_code == 302
    assert not FactProposal.objects.exists()


# Query counts -------------------------------------------------------------------------------------


def vendor_with_ranges(slug: str, count: int) -> Vendor:
    vendor = make_vendor(slug, public=True)
    for number in range(count):
        make_range(vendor, f"2001:db8:{number:x}::/48")
    return vendor


def counted(post) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert post().status_code == 302
    return len(queries)


def test_a_proposal_save_costs_no_more_than_a_publishers_own_save_however_many_ranges(publisher, editor):
    # Both validate the same forms (Django's inline formset reads each stored row's id); keeping
    # the change instead of saving it adds nothing that grows with the ranges.
    def proposal_save(vendor) -> int:
        data = form_data(editor.get(vendor_url(vendor)), "vendor_form")
        data["description"] = "Changed"
        return counted(lambda: save(editor, vendor, data))

    def own_save(vendor) -> int:
        data = form_data(publisher.get(vendor_url(vendor)), "vendor_form")
        data["description"] = "Changed by the publisher"
        return counted(lambda: save(publisher, vendor, data))

    few, many = vendor_with_ranges("few", 3), vendor_with_ranges("many", 30)
    proposed_few, proposed_many = proposal_save(few), proposal_save(many)
    assert FactProposal.objects.count() == 2
    FactProposal.objects.all().delete()
    own_few, own_many = own_save(few), own_save(many)
    assert proposed_many - proposed_few <= own_many - own_few
    assert proposed_few < own_few


def test_applying_costs_a_fixed_number_of_queries_over_a_publishers_own_save(publisher, editor):
    def extra(vendor) -> int:
        data = form_data(publisher.get(vendor_url(vendor)), "vendor_form")
        data["description"] = "Changed by the publisher"
        own = counted(lambda: save(publisher, vendor, data))
        data = form_data(editor.get(vendor_url(vendor)), "vendor_form")
        data["description"] = "Proposed by the editor"
        save(editor, vendor, data)
        applied = counted(lambda: publisher.post(vendor_url(vendor, "proposal/apply/")))
        assert not FactProposal.objects.filter(vendor=vendor).exists()
        return applied - own

    assert extra(vendor_with_ranges("few", 3)) == extra(vendor_with_ranges("many", 30))


def test_the_change_page_with_a_proposal_costs_the_same_however_many_ranges(publisher, editor):
    def page(vendor) -> int:
        data = form_data(editor.get(vendor_url(vendor)), "vendor_form")
        data["description"] = "Proposed by the editor"
        save(editor, vendor, data)
        with CaptureQueriesContext(connection) as queries:
            assert publisher.get(vendor_url(vendor)).status_code == 200
        return len(queries)

    assert page(vendor_with_ranges("few", 3)) == page(vendor_with_ranges("many", 30))
