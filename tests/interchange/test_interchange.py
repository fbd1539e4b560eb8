"""The YAML interchange format: import all or nothing, export that round-trips."""

from __future__ import annotations

import datetime as dt
import io
import re
import textwrap
import time
import tracemalloc
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles.content.models import Article, ArticleClient, MailClient, Step, StepList
from articles.facts.models import IPRange, SenderAddress, SenderDomain, Vendor
from articles.interchange import FORMAT, InterchangeError, export_helpcenter, import_text, parse
from tests.conftest import make_article, make_client, make_range, make_vendor

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "fixtures" / "demo.yaml"
FORMAT_DOC = ROOT / "fixtures" / "FORMAT.md"
MODELS = (MailClient, StepList, Step, Vendor, SenderAddress, SenderDomain, IPRange, Article, ArticleClient)

SAMPLE = """\
format: safelist-helpcenter/1
mail_clients:
  - slug: gmail
    name: Gmail
    audience: person
    intro: |
      Gmail learns from what you do.
    steps:
      - Open Gmail.
      - |
        Find a message from {{ primary_address }}.

        Then click **Not spam**.
  - slug: postfix
    name: Postfix
    audience: it
vendors:
  - slug: acme
    name: Acme Mail
    website: https://acme.example
    sender_addresses:
      - address: alerts@acme.example
        used_for: password resets
      - address: billing@Bücher.example
    sender_domains: [acme.example, bücher.example]
    ip_ranges:
      - network: 192.0.2.0/24
        tier: primary
        added_on: 2024-05-01
      - network: 198.51.100.7
        tier: additional
        staff_note: the old relay
        added_on: 2024-05-01
      - network: 2001:db8::/32
        added_on: 2024-06-01
        retired_on: 2025-01-01
    step_overrides:
      - client: gmail
        steps: [Do it the Acme way.]
    facts_changed_at: 2026-01-10T08:00:00Z
articles:
  - vendor: acme
    slug: guide
    title: Allowlist Acme
    status: published
    published_at: 2026-01-15T09:00:00Z
    show_it_section: yes
    clients: [gmail, postfix]
    body: |
      Mail from {{ vendor }}.
    updated_at: 2026-01-14T12:00:00Z
  - slug: what-is-allowlisting
    kind: explainer
    title: What is allowlisting?
    updated_at: 2026-01-12T12:00:00Z
"""


def run_import(text: str, *args: str, tmp_path: Path) -> str:
    path = tmp_path / "helpcenter.yaml"
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    call_command("import_helpcenter", str(path), *args, stdout=out)
    return out.getvalue()


def run_export() -> str:
    out = io.StringIO()
    call_command("export_helpcenter", stdout=out)
    return out.getvalue()


def import_error(text: str, tmp_path: Path) -> str:
    """The command's complaint about ``text``, after checking that it changed nothing."""
    before = snapshot()
    with pytest.raises(CommandError) as caught:
        run_import(text, tmp_path=tmp_path)
    assert snapshot() == before
    message = str(caught.value)
    assert "was not imported, and nothing in the help center changed" in message
    return message


def problems(text: str, **stored) -> list[str]:
    with pytest.raises(InterchangeError) as caught:
        parse(text, **stored)
    return [str(problem) for problem in caught.value.problems]


def snapshot() -> tuple:
    """Every stored row of every model, with its primary key, as plain values."""
    return tuple(tuple(model.objects.order_by("pk").values_list()) for model in MODELS)


def empty_database() -> None:
    Article.objects.all().delete()
    Vendor.objects.all().delete()
    MailClient.objects.all().delete()
    assert not any(model.objects.exists() for model in MODELS)


def build_rich_help_center() -> None:
    """Every feature the format carries, built through the models, not the importer."""
    gmail = make_client(
        "gmail",
        "Gmail",
        steps=["Open Gmail.", "Find a message from {{ primary_address }}.\n\nClick **Not spam**.\n"],
        position=1,
    )
    StepList.objects.filter(mail_client=gmail).update(intro="Gmail learns from you.\n")
    outlook = make_client("outlook", "Outlook (Microsoft 365)", position=0)
    outlook.short_name = "Outlook"
    outlook.description = "New Outlook and Outlook for Microsoft 365."
    outlook.save()
    postfix = make_client("postfix", "Postfix", audience="it", steps=["Edit `main.cf`."], position=0)
    make_client("exchange-online", "Exchange Online", audience="it", position=1)

    acme = make_vendor(
        "acme", "Acme Mail", website="https://acme.example", description="Line one.\nLine two.\n"
    )
    SenderAddress.objects.create(vendor=acme, address="alerts@acme.example", used_for="alerts", position=0)
    SenderAddress.objects.create(vendor=acme, address="billing@xn--bcher-kva.example", position=1)
    SenderDomain.objects.create(vendor=acme, domain="acme.example")
    SenderDomain.objects.create(vendor=acme, domain="xn--bcher-kva.example")
    make_range(acme, "192.0.2.0/24", "primary", added_on=dt.date(2024, 5, 1))
    make_range(
        acme,
        "198.51.100.7",
        "additional",
        public_note="Relay, US",
        staff_note="old relay",
        added_on=dt.date(2024, 5, 1),
    )
    make_range(acme, "198.51.100.9", "additional", public_note="only public", added_on=dt.date(2024, 5, 1))
    make_range(acme, "2001:db8::/32", "additional", added_on=dt.date(2024, 6, 1))
    make_range(
        acme, "203.0.113.0/24", "primary", added_on=dt.date(2023, 1, 1), retired_on=dt.date(2025, 1, 1)
    )
    override = StepList.objects.create(mail_client=gmail, vendor=acme, intro="Acme's way.")
    Step.objects.create(step_list=override, position=0, text="Use a filter.")
    StepList.objects.create(mail_client=outlook, vendor=acme)  # an empty override hides the steps
    zeta = make_vendor("zeta", "Zeta")
    make_range(zeta, "192.0.2.0/24", added_on=dt.date(2024, 1, 2))

    make_article(
        acme,
        "guide",
        clients=[outlook, gmail, postfix],
        title="Yes",
        summary="Allowlisting: the short version",
        published_at=dt.datetime(2026, 1, 15, 10, 0, 0, 123456, tzinfo=dt.timezone(dt.timedelta(hours=1))),
        reviewed_on=dt.date(2026, 2, 1),
        body="## Why\r\n\r\nMail from {{ vendor }}.  \r\nA hard break above.\r\n",
    )
    make_article(
        acme,
        "bounces",
        published=False,
        kind=Article.Kind.TROUBLESHOOTING,
        show_it_section=False,
        body="    indented code first\n",
    )
    make_article(
        None,
        "what-is-allowlisting",
        kind=Article.Kind.EXPLAINER,
        published_at=dt.datetime(2026, 1, 20, 9, 0, tzinfo=dt.UTC),
        show_it_section=False,
        title="What is allowlisting? Ünïcödé: “quotes”",
    )


# --- Round trips ----------------------------------------------------------


def test_export_import_into_empty_database_and_export_again_gives_identical_text(tmp_path):
    build_rich_help_center()
    first = run_export()
    empty_database()
    run_import(first, tmp_path=tmp_path)
    assert run_export() == first


def test_round_trip_keeps_every_fact(tmp_path):
    build_rich_help_center()
    text = run_export()
    empty_database()
    run_import(text, tmp_path=tmp_path)

    acme = Vendor.objects.get(slug="acme")
    assert acme.description == "Line one.\nLine two.\n"
    assert [a.address for a in acme.sender_addresses.all()] == [
        "alerts@acme.example",
        "billing@xn--bcher-kva.example",
    ]
    assert sorted(acme.sender_domains.values_list("domain", flat=True)) == [
        "acme.example",
        "xn--bcher-kva.example",
    ]
    retired = acme.ip_ranges.get(network="203.0.113.0/24")
    assert (retired.tier, retired.added_on, retired.retired_on) == (
        "primary",
        dt.date(2023, 1, 1),
        dt.date(2025, 1, 1),
    )
    noted = acme.ip_ranges.get(network="198.51.100.7/32")
    assert (noted.public_note, noted.staff_note) == ("Relay, US", "old relay")
    public_only = acme.ip_ranges.get(network="198.51.100.9/32")
    assert (public_only.public_note, public_only.staff_note) == ("only public", "")
    assert list(
        StepList.objects.get(vendor=acme, mail_client__slug="gmail").steps.values_list("text", flat=True)
    ) == ["Use a filter."]
    assert not StepList.objects.get(vendor=acme, mail_client__slug="outlook").steps.exists()
    guide = Article.objects.get(vendor=acme, slug="guide")
    assert guide.published_at == dt.datetime(2026, 1, 15, 9, 0, 0, 123456, tzinfo=dt.UTC)
    assert guide.body == "## Why\n\nMail from {{ vendor }}.  \nA hard break above.\n"
    assert guide.title == "Yes"
    assert [s.mail_client.slug for s in guide.client_sections.all()] == ["outlook", "gmail", "postfix"]
    draft = Article.objects.get(vendor=acme, slug="bounces")
    assert (draft.status, draft.published_at, draft.kind) == ("draft", None, "troubleshooting")
    assert Article.objects.get(vendor=None).title == "What is allowlisting? Ünïcödé: “quotes”"
    assert [(c.slug, c.position) for c in MailClient.objects.order_by("position")] == [
        ("outlook", 0),
        ("gmail", 1),
        ("postfix", 2),
        ("exchange-online", 3),
    ]


def test_import_export_import_export_is_stable(tmp_path):
    run_import(SAMPLE, tmp_path=tmp_path)
    first = run_export()
    empty_database()
    run_import(first, tmp_path=tmp_path)
    assert run_export() == first
    assert "Importing it would change nothing." in run_import(first, "--dry-run", tmp_path=tmp_path)


# Any text staff can type, with the YAML-significant characters and line breaks
# drawn often; braces are left out (unknown placeholders are refused), and NUL,
# which PostgreSQL cannot store.
ANY_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(blacklist_categories=("Cs",), blacklist_characters="{}\x00"),
        st.sampled_from(list(" \n\r\t#:-|>'\"[]*&!%@`\x85\u2028")),
    ),
    max_size=80,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=ANY_TEXT, title=ANY_TEXT.filter(str.strip))
def test_any_text_survives_export_and_reading_back(acme, body, title):
    Article.objects.all().delete()
    make_article(acme, "guide", title=title[:200], body=body)
    article = parse(export_helpcenter()).articles[0]
    expected = [re.sub("\r\n|[\r\x85]", "\n", value) for value in (title[:200], body)]
    assert [article.title, article.body] == expected


def test_export_writes_a_small_readable_file(tmp_path):
    run_import(SAMPLE, tmp_path=tmp_path)
    # An address or domain written without its dates was added on the day it was imported.
    assert run_export() == textwrap.dedent(
        """\
        # Safelist Help Center: the whole help center in one file.
        # The format is described in fixtures/FORMAT.md.
        format: safelist-helpcenter/1

        mail_clients:
          - slug: gmail
            name: Gmail
            audience: person
            intro: |
              Gmail learns from what you do.
            steps:
              - Open Gmail.
              - |
                Find a message from {{ primary_address }}.

                Then click **Not spam**.

          - slug: postfix
            name: Postfix
            audience: it

        vendors:
          - slug: acme
            name: Acme Mail
            website: https://acme.example
            facts_changed_at: 2026-01-10T08:00:00Z
            sender_addresses:
              - address: alerts@acme.example
                used_for: password resets
                added_on: TODAY
              - address: billing@xn--bcher-kva.example
                added_on: TODAY
            sender_domains:
              - domain: acme.example
                added_on: TODAY
              - domain: xn--bcher-kva.example
                added_on: TODAY
            ip_ranges:
              - network: 192.0.2.0/24
                tier: primary
                added_on: 2024-05-01
              - network: 2001:db8::/32
                tier: primary
                added_on: 2024-06-01
                retired_on: 2025-01-01
              - network: 198.51.100.7/32
                tier: additional
                staff_note: the old relay
                added_on: 2024-05-01
            step_overrides:
              - client: gmail
                steps:
                  - Do it the Acme way.

        articles:
          - slug: what-is-allowlisting
            kind: explainer
            title: What is allowlisting?
            status: draft
            updated_at: 2026-01-12T12:00:00Z

          - vendor: acme
            slug: guide
            kind: guide
            title: Allowlist Acme
            status: published
            published_at: 2026-01-15T09:00:00Z
            updated_at: 2026-01-14T12:00:00Z
            show_it_section: true
            clients: [gmail, postfix]
            body: |
              Mail from {{ vendor }}.
        """
    ).replace("TODAY", timezone.localdate().isoformat())


def test_export_of_an_empty_help_center_is_just_the_format():
    assert run_export().endswith(f"format: {FORMAT}\n")
    assert "vendors" not in run_export()


def test_export_writes_to_a_file(tmp_path):
    build_rich_help_center()
    target = tmp_path / "out.yaml"
    call_command("export_helpcenter", "--output", str(target), stdout=io.StringIO(), stderr=io.StringIO())
    assert target.read_text(encoding="utf-8") == run_export()


def test_export_runs_the_same_number_of_queries_however_much_there_is(tmp_path):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            export_helpcenter()
        return len(queries)

    run_import(SAMPLE, tmp_path=tmp_path)
    small = count()
    add_more_of_everything()
    assert count() == small


def add_more_of_everything() -> None:
    for number in range(5):
        vendor = make_vendor(f"extra-{number}")
        SenderAddress.objects.create(vendor=vendor, address=f"a@extra{number}.example")
        SenderDomain.objects.create(vendor=vendor, domain=f"extra{number}.example")
        make_range(vendor, f"45.{number}.0.0/16")
        client = make_client(f"client-{number}", steps=["One.", "Two."])
        make_article(vendor, "guide", clients=[client])


# --- Re-imports -------------------------------------------------------------


def test_reimport_makes_named_objects_match_the_file_and_keeps_unchanged_ranges(tmp_path):
    run_import(SAMPLE, tmp_path=tmp_path)
    acme = Vendor.objects.get(slug="acme")
    kept = acme.ip_ranges.get(network="192.0.2.0/24")
    noted = acme.ip_ranges.get(network="198.51.100.7/32")
    other = make_vendor("other", "Other")
    make_range(other, "203.0.113.0/24")
    untouched_article = make_article(acme, "not-in-file", title="Stays")

    changed = (
        SAMPLE.replace("        staff_note: the old relay\n", "        staff_note: the new relay\n")
        .replace(
            "      - network: 2001:db8::/32\n        added_on: 2024-06-01\n        retired_on: 2025-01-01\n",
            "",
        )
        .replace("      - address: billing@Bücher.example\n", "")
        .replace("clients: [gmail, postfix]", "clients: [postfix]")
        .replace("    step_overrides:\n      - client: gmail\n        steps: [Do it the Acme way.]\n", "")
    )
    run_import(changed, tmp_path=tmp_path)

    assert set(acme.ip_ranges.values_list("network", flat=True)) == {"192.0.2.0/24", "198.51.100.7/32"}
    assert acme.ip_ranges.get(network="192.0.2.0/24").pk == kept.pk
    noted_now = acme.ip_ranges.get(network="198.51.100.7/32")
    assert (noted_now.pk, noted_now.public_note, noted_now.staff_note) == (noted.pk, "", "the new relay")
    assert list(acme.sender_addresses.values_list("address", flat=True)) == ["alerts@acme.example"]
    assert not StepList.objects.filter(vendor=acme).exists()
    guide = Article.objects.get(vendor=acme, slug="guide")
    assert [s.mail_client.slug for s in guide.client_sections.all()] == ["postfix"]
    # Objects the file does not name are left alone.
    assert other.ip_ranges.count() == 1
    assert Article.objects.get(pk=untouched_article.pk).title == "Stays"


def test_reimporting_the_same_file_changes_nothing_at_all(tmp_path):
    run_import(SAMPLE, tmp_path=tmp_path)
    before = snapshot()
    stamps = list(Vendor.objects.values_list("facts_changed_at", "updated_at"))
    article_stamps = list(Article.objects.values_list("updated_at", flat=True))
    output = run_import(SAMPLE, tmp_path=tmp_path)
    assert snapshot() == before
    assert list(Vendor.objects.values_list("facts_changed_at", "updated_at")) == stamps
    assert list(Article.objects.values_list("updated_at", flat=True)) == article_stamps
    assert "created" not in output and "updated" not in output and "deleted" not in output


def test_retiring_a_range_in_the_file_updates_the_same_row(tmp_path):
    run_import(SAMPLE, tmp_path=tmp_path)
    row = IPRange.objects.get(network="192.0.2.0/24")
    run_import(
        SAMPLE.replace(
            "        tier: primary\n        added_on: 2024-05-01\n",
            "        tier: primary\n        added_on: 2024-05-01\n        retired_on: 2026-01-01\n",
        ),
        tmp_path=tmp_path,
    )
    row.refresh_from_db()
    assert row.retired_on == dt.date(2026, 1, 1)


def test_a_network_may_return_after_it_was_retired(tmp_path):
    text = SAMPLE.replace(
        "      - network: 2001:db8::/32\n",
        "      - network: 2001:db8::/32\n        added_on: 2025-06-01\n      - network: 2001:db8::/32\n",
    )
    run_import(text, tmp_path=tmp_path)
    assert IPRange.objects.filter(network="2001:db8::/32").count() == 2
    first = run_export()
    empty_database()
    run_import(first, tmp_path=tmp_path)
    assert run_export() == first


def test_left_out_added_on_is_today_for_a_new_range_and_kept_for_a_stored_one(tmp_path):
    run_import(SAMPLE, tmp_path=tmp_path)
    text = SAMPLE.replace("        added_on: 2024-05-01\n", "")
    text = text.replace(
        "      - network: 192.0.2.0/24\n", "      - network: 192.0.2.0/24\n      - network: 192.0.3.0/24\n"
    )
    run_import(text, tmp_path=tmp_path)
    assert IPRange.objects.get(network="192.0.2.0/24").added_on == dt.date(2024, 5, 1)
    assert IPRange.objects.get(network="192.0.3.0/24").added_on == timezone.localdate()


def test_an_article_may_refer_to_a_vendor_and_client_already_stored(tmp_path):
    vendor = make_vendor("stored", "Stored Vendor")
    make_client("stored-client")
    run_import(
        f"format: {FORMAT}\narticles:\n  - vendor: stored\n    slug: hello\n    title: Hello\n"
        "    clients: [stored-client]\n",
        tmp_path=tmp_path,
    )
    assert Article.objects.get(vendor=vendor, slug="hello").clients.get().slug == "stored-client"


def test_published_without_a_time_is_published_now_and_keeps_that_time(tmp_path):
    text = f"format: {FORMAT}\narticles:\n  - slug: news\n    title: News\n    status: published\n"
    run_import(text, tmp_path=tmp_path)
    first = Article.objects.get(slug="news").published_at
    assert first is not None
    run_import(text, tmp_path=tmp_path)
    assert Article.objects.get(slug="news").published_at == first


# --- Command options ----------------------------------------------------------


def test_if_empty_imports_into_an_empty_help_center(tmp_path):
    run_import(SAMPLE, "--if-empty", tmp_path=tmp_path)
    assert Vendor.objects.filter(slug="acme").exists()


def test_if_empty_skips_when_a_vendor_exists(tmp_path, acme):
    before = snapshot()
    output = run_import(SAMPLE.replace("Acme Mail", "Renamed"), "--if-empty", tmp_path=tmp_path)
    assert "was not imported (--if-empty)" in output
    assert snapshot() == before


def test_dry_run_reports_the_changes_and_writes_nothing(tmp_path, acme):
    before = snapshot()
    output = run_import(SAMPLE, "--dry-run", tmp_path=tmp_path)
    assert snapshot() == before
    assert "Dry run" in output and "nothing was written" in output
    assert "updated IP range 192.0.2.0/24" in output  # its added_on changes
    assert "created IP range 2001:db8::/32" in output
    assert "created mail client gmail" in output
    assert "vendor: 1 unchanged" in output


def test_dry_run_still_reports_problems(tmp_path):
    with pytest.raises(CommandError, match="no mail client “gmial”"):
        run_import(
            SAMPLE.replace("clients: [gmail, postfix]", "clients: [gmial]"), "--dry-run", tmp_path=tmp_path
        )
    assert not Vendor.objects.exists()


def test_missing_file_is_named(tmp_path):
    with pytest.raises(CommandError, match="There is no file at .*nowhere.yaml"):
        call_command("import_helpcenter", str(tmp_path / "nowhere.yaml"))


def test_file_that_is_not_text_is_refused(tmp_path, acme):
    path = tmp_path / "picture.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00")
    before = snapshot()
    with pytest.raises(CommandError, match="not a text file in UTF-8"):
        call_command("import_helpcenter", str(path))
    assert snapshot() == before


# --- Atomicity ----------------------------------------------------------------


def test_one_bad_range_among_good_data_changes_nothing(tmp_path, acme):
    gmail = make_client("gmail", "Gmail", steps=["Old step."])
    make_article(acme, "guide", clients=[gmail])
    before = snapshot()
    counts = [model.objects.count() for model in MODELS]
    ranges = list(IPRange.objects.values_list("pk", "network", "tier"))
    bad = SAMPLE.replace("      - network: 198.51.100.7\n", "      - network: 198.51.100.7/33\n")

    message = import_error(bad, tmp_path)

    assert "line 30, vendors[0] (acme) > ip_ranges[1] > network: The prefix length /33 is too long" in message
    assert [model.objects.count() for model in MODELS] == counts
    assert list(IPRange.objects.values_list("pk", "network", "tier")) == ranges
    assert Vendor.objects.get(slug="acme").name == "Acme Mail"
    assert list(Step.objects.values_list("text", flat=True)) == ["Old step."]
    assert snapshot() == before


def test_a_problem_only_the_database_can_see_rolls_everything_back(tmp_path):
    make_vendor("elsewhere", "Acme Mail")  # the name the file gives its vendor "acme"
    message = import_error(SAMPLE, tmp_path)
    assert re.search(r"line 19, vendors\[0\] \(acme\) > name: Vendor with this Name already exists", message)
    assert not MailClient.objects.exists()


def test_every_problem_is_listed_at_once_in_file_order(tmp_path):
    bad = (
        SAMPLE.replace("    audience: it\n", "    audience: robot\n")
        .replace("        tier: additional\n", "        tier: secondary\n")
        .replace("    title: What is allowlisting?\n", "")
    )
    message = import_error(bad, tmp_path)
    assert "3 problems to fix" in message
    lines = message.splitlines()[1:]
    assert lines[0].startswith(
        "  line 16, mail_clients[1] (postfix) > audience: “robot” is not a valid audience"
    )
    assert lines[1].startswith(
        "  line 31, vendors[0] (acme) > ip_ranges[1] > tier: “secondary” is not a valid tier"
    )
    assert lines[2].startswith("  line 52, articles[1] (what-is-allowlisting) > title: “title” is missing")


# --- Each kind of bad input: the exact place and field --------------------------

HEAD = f"format: {FORMAT}\n"
VENDOR = HEAD + "vendors:\n  - slug: acme\n    name: Acme\n"
CLIENT = HEAD + "mail_clients:\n  - slug: gmail\n    name: Gmail\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            VENDOR + "    ip_range:\n      - network: 192.0.2.1\n",
            "line 5, vendors[0] (acme) > ip_range: “ip_range” is not a key a vendor can have. "
            "Did you mean “ip_ranges”?",
            id="unknown-key",
        ),
        pytest.param(
            VENDOR + "    name: Again\n",
            "line 5, vendors[0] (acme) > name: “name” is written twice for this vendor (first on line 4)",
            id="key-written-twice",
        ),
        pytest.param(
            VENDOR + "    sender_domains: acme.example\n",
            "line 5, vendors[0] (acme) > sender_domains: “sender_domains” should be a list",
            id="text-where-a-list-belongs",
        ),
        pytest.param(
            VENDOR + "    website: [https://acme.example]\n",
            "line 5, vendors[0] (acme) > website: “website” should be text, not a list.",
            id="list-where-text-belongs",
        ),
        pytest.param(
            HEAD + "vendors:\n  - acme\n",
            "line 3, vendors[0]: Each vendor must be a group of “key: value” lines, not “acme”.",
            id="text-where-a-vendor-belongs",
        ),
        pytest.param(
            HEAD + "vendors:\n  - slug: acme\n",
            "line 3, vendors[0] (acme) > name: “name” is missing; every vendor needs one.",
            id="missing-required-key",
        ),
        pytest.param(
            HEAD + "vendors:\n  - slug: acme\n    name: ''\n",
            "line 4, vendors[0] (acme) > name: “name” is empty; every vendor needs one.",
            id="empty-required-key",
        ),
        pytest.param(
            "format: safelist-helpcenter/2\n",
            "line 1, format: “safelist-helpcenter/2” is not a format this help center reads; "
            "it reads “safelist-helpcenter/1”.",
            id="unknown-format",
        ),
        pytest.param(
            "vendors: []\n",
            "line 1, format: “format” is missing; the file must start with “format: safelist-helpcenter/1”.",
            id="missing-format",
        ),
        pytest.param(
            HEAD + "articles:\n  - slug: a\n    title: A\n    clients: [gmial]\n",
            "line 5, articles[0] (a) > clients[0]: There is no mail client “gmial” in this file or in the "
            "help center.",
            id="unknown-client-in-article",
        ),
        pytest.param(
            VENDOR + "    step_overrides:\n      - client: gmial\n",
            "line 6, vendors[0] (acme) > step_overrides[0] (gmial) > client: There is no mail client “gmial”",
            id="unknown-client-in-override",
        ),
        pytest.param(
            HEAD + "articles:\n  - vendor: acmee\n    slug: a\n    title: A\n",
            "line 3, articles[0] (acmee/a) > vendor: There is no vendor “acmee” in this file or in the "
            "help center.",
            id="unknown-vendor-in-article",
        ),
        pytest.param(
            VENDOR + "  - slug: acme\n    name: Acme Two\n",
            "line 5, vendors[1] (acme) > slug: Another vendor earlier in the file (line 3, vendors[0] (acme)) "
            "has the same slug",
            id="vendor-twice",
        ),
        pytest.param(
            CLIENT + "  - slug: gmail\n    name: Gmail Two\n",
            "line 5, mail_clients[1] (gmail) > slug: Another mail client earlier in the file",
            id="client-twice",
        ),
        pytest.param(
            HEAD + "articles:\n  - slug: a\n    title: A\n  - slug: a\n    title: B\n",
            "line 5, articles[1] (a) > slug: Another article earlier in the file",
            id="article-twice",
        ),
        pytest.param(
            VENDOR + "    ip_ranges:\n      - network: 192.0.2.0/24\n      - network: 192.0.2.0/24\n",
            "line 7, vendors[0] (acme) > ip_ranges[1] > network: The range 192.0.2.0/24 is listed twice "
            "(first on line 6); keep one.",
            id="range-twice",
        ),
        pytest.param(
            VENDOR + "    ip_ranges:\n      - network: 192.0.2.7\n      - network: 192.0.2.7/32\n",
            "line 7, vendors[0] (acme) > ip_ranges[1] > network: The range 192.0.2.7/32 is listed twice",
            id="range-twice-written-differently",
        ),
        pytest.param(
            VENDOR
            + "    sender_addresses:\n      - address: a@acme.example\n      - address: A@ACME.example\n",
            "line 7, vendors[0] (acme) > sender_addresses[1] > address: The address a@acme.example is "
            "listed twice (first on line 6); keep one.",
            id="address-twice",
        ),
        pytest.param(
            VENDOR + "    sender_domains: [bücher.example, xn--bcher-kva.example]\n",
            "line 5, vendors[0] (acme) > sender_domains[1]: The domain xn--bcher-kva.example is listed twice",
            id="idn-domain-twice",
        ),
        pytest.param(
            VENDOR + "    step_overrides:\n      - client: gmail\n      - client: gmail\n",
            "line 7, vendors[0] (acme) > step_overrides[1] (gmail) > client: The steps for gmail are listed twice",
            id="override-twice",
        ),
        pytest.param(
            VENDOR + "    ip_ranges:\n      - network: 192.0.2.0/24\n        added_on: 2024-13-01\n",
            "line 7, vendors[0] (acme) > ip_ranges[0] > added_on: “2024-13-01” is not a date; write the "
            "date as year-month-day, for example 2024-05-01.",
            id="bad-date",
        ),
        pytest.param(
            VENDOR + "    ip_ranges:\n      - network: 192.0.2.0/24\n        added_on: 2025-01-01\n"
            "        retired_on: 2024-01-01\n",
            "line 8, vendors[0] (acme) > ip_ranges[0] > retired_on: A range cannot be retired before it "
            "was added.",
            id="retired-before-added",
        ),
        pytest.param(
            HEAD + "articles:\n  - slug: a\n    title: A\n    published_at: yesterday\n",
            "line 5, articles[0] (a) > published_at: “yesterday” is not a date and time",
            id="bad-datetime",
        ),
        pytest.param(
            VENDOR + "    ip_ranges:\n      - network: 192.0.2.0/24\n        tier: secondary\n",
            "line 7, vendors[0] (acme) > ip_ranges[0] > tier: “secondary” is not a valid tier; write primary "
            "or additional.",
            id="bad-tier",
        ),
        pytest.param(
            HEAD + "articles:\n  - slug: a\n    title: A\n    kind: howto\n",
            "line 5, articles[0] (a) > kind: “howto” is not a valid kind; write guide, troubleshooting, "
            "explainer or reference.",
            id="bad-kind",
        ),
        pytest.param(
            HEAD + "articles:\n  - slug: a\n    title: A\n    status: live\n",
            "line 5, articles[0] (a) > status: “live” is not a valid status; write draft or published.",
            id="bad-status",
        ),
        pytest.param(
            CLIENT + "    audience: robots\n",
            "line 5, mail_clients[0] (gmail) > audience: “robots” is not a valid audience; write person or it.",
            id="bad-audience",
        ),
        pytest.param(
            HEAD + "articles:\n  - slug: a\n    title: A\n    show_it_section: maybe\n",
            "line 5, articles[0] (a) > show_it_section: “maybe” is not true or false; write true or false.",
            id="bad-boolean",
        ),
        pytest.param(
            VENDOR + "    ip_ranges:\n      - network: 10.0.0.0/33\n",
            "line 6, vendors[0] (acme) > ip_ranges[0] > network: The prefix length /33 is too long: IPv4 "
            "allows at most /32.",
            id="bad-prefix",
        ),
        pytest.param(
            VENDOR + "    ip_ranges:\n      - network: 3.93.157.24/24\n",
            "line 6, vendors[0] (acme) > ip_ranges[0] > network: “3.93.157.24/24” has host bits set",
            id="host-bits",
        ),
        pytest.param(
            VENDOR + "    ip_ranges:\n      - tier: primary\n",
            "line 6, vendors[0] (acme) > ip_ranges[0] > network: “network” is missing; every IP range needs one.",
            id="range-without-network",
        ),
        pytest.param(
            VENDOR + "    sender_addresses:\n      - address: info@@acme.example\n",
            "line 6, vendors[0] (acme) > sender_addresses[0] > address: “info@@acme.example” is not an "
            "email address",
            id="bad-address",
        ),
        pytest.param(
            VENDOR + "    sender_domains: [acme]\n",
            "line 5, vendors[0] (acme) > sender_domains[0]: “acme” has no dot",
            id="bad-domain",
        ),
        pytest.param(
            HEAD + "vendors:\n  - slug: admin\n    name: Admin\n",
            "line 3, vendors[0] (admin) > slug: “admin” is a web address the site itself uses; choose "
            "another slug.",
            id="reserved-slug",
        ),
        pytest.param(
            VENDOR + "    website: acme dot example\n",
            "line 5, vendors[0] (acme) > website: Enter a valid URL.",
            id="bad-website",
        ),
        pytest.param(
            CLIENT + "    steps:\n      - Open {{ vendr }}.\n",
            "line 6, mail_clients[0] (gmail) > steps[0]: Unknown placeholder {{ vendr }}.",
            id="unknown-placeholder-in-step",
        ),
        pytest.param(
            HEAD + "articles:\n  - slug: a\n    title: A\n    body: |\n      Hi {{ name }}\n",
            "line 5, articles[0] (a) > body: Unknown placeholder {{ name }}.",
            id="unknown-placeholder-in-body",
        ),
        pytest.param(
            CLIENT + "    steps:\n      - ''\n",
            "line 6, mail_clients[0] (gmail) > steps[0]: This step is empty",
            id="empty-step",
        ),
        pytest.param(
            HEAD + "vendors:\n  - slug: acme\n    name: " + "x" * 101 + "\n",
            "line 4, vendors[0] (acme) > name: Ensure this value has at most 100 characters (it has 101).",
            id="too-long",
        ),
        pytest.param(
            HEAD + "vendors:\n  - slug: !!python/name:os.system acme\n    name: Acme\n",
            "line 3, vendors[0] (acme) > slug: The YAML tag “tag:yaml.org,2002:python/name:os.system” is not "
            "allowed here",
            id="python-tag",
        ),
        pytest.param(
            VENDOR + '    description: "Null\\0here"\n',
            "line 5, vendors[0] (acme) > description: The text contains a NUL character",
            id="nul-character",
        ),
        pytest.param(
            "- format: safelist-helpcenter/1\n",
            "line 1: The file must be a group of “key: value” lines, not a list.",
            id="list-at-top",
        ),
        pytest.param(
            "Just some words.\n",
            "line 1: The file must be a group of “key: value” lines, not “Just some words.”.",
            id="plain-text",
        ),
        pytest.param(
            HEAD + "vendors:\n  - slug: acme\n    name: Acme: the mail company\n",
            "line 4: This is not valid YAML (mapping values are not allowed here).",
            id="not-yaml",
        ),
        pytest.param(
            HEAD + "vendors:\n\t- slug: acme\n",
            "line 3: This is not valid YAML",
            id="tab-indent",
        ),
        pytest.param(
            "", "The file is empty; it must start with “format: safelist-helpcenter/1”.", id="empty"
        ),
        pytest.param("# only a comment\n", "The file is empty", id="only-comments"),
    ],
)
def test_bad_input_names_its_place_and_changes_nothing(tmp_path, acme, text, expected):
    message = import_error(text, tmp_path)
    assert expected in message


def test_close_spellings_are_suggested_and_unknown_keys_list_the_right_ones():
    found = problems(
        HEAD + "vendors:\n  - slug: acme\n    name: Acme\n    sender_adresses: []\n    colour: red\n"
    )
    assert found[0].startswith(
        "line 5, vendors[0] (acme) > sender_adresses: “sender_adresses” is not a key a vendor can have. "
        "Did you mean “sender_addresses”?"
    )
    assert found[1] == (
        "line 6, vendors[0] (acme) > colour: “colour” is not a key a vendor can have. The keys are: slug, "
        "name, website, description, support_email, support_url, support_hours, unsupported, "
        "unsupported_note, facts_changed_at, sender_addresses, sender_domains, ip_ranges, step_overrides."
    )


def test_problems_carry_an_error_code():
    with pytest.raises(InterchangeError) as caught:
        parse(VENDOR + "    ip_ranges:\n      - network: 10.0.0.0/33\n    colour: red\n")
    assert [problem.code for problem in caught.value.problems] == ["invalid_prefix", "unknown_key"]


def test_an_unknown_format_stops_before_guessing_at_the_rest():
    assert problems("format: safelist-helpcenter/2\nvendors: 3\n") == [
        "line 1, format: “safelist-helpcenter/2” is not a format this help center reads; it reads "
        "“safelist-helpcenter/1”."
    ]


def test_text_that_looks_like_a_number_or_yes_is_read_as_text():
    document = parse(HEAD + "vendors:\n  - slug: acme\n    name: Yes\n    description: 2024\n")
    assert (document.vendors[0].name, document.vendors[0].description) == ("Yes", "2024")


def test_unicode_domains_are_stored_and_exported_in_their_ascii_form(tmp_path):
    run_import(VENDOR + "    sender_domains: [Bücher.Example.]\n", tmp_path=tmp_path)
    assert SenderDomain.objects.get().domain == "xn--bcher-kva.example"
    assert (
        f"sender_domains:\n      - domain: xn--bcher-kva.example\n        added_on: {timezone.localdate()}"
        in (run_export())
    )


def test_references_may_point_forwards_in_the_file():
    text = (
        HEAD
        + "articles:\n  - vendor: acme\n    slug: a\n    title: A\n    clients: [gmail]\n"
        + "vendors:\n  - slug: acme\n    name: Acme\n"
        + "mail_clients:\n  - slug: gmail\n    name: Gmail\n"
    )
    assert parse(text).articles[0].clients == ["gmail"]


def test_stored_slugs_satisfy_references_when_parsing():
    text = HEAD + "articles:\n  - vendor: stored\n    slug: a\n    title: A\n    clients: [old]\n"
    assert parse(text, stored_vendors={"stored"}, stored_clients={"old"}).articles[0].vendor == "stored"


def test_import_text_returns_a_report_of_what_changed():
    report = import_text(text=SAMPLE)
    assert "vendor: 1 created" in report.summary()
    assert "IP range: 3 created" in report.summary()
    assert import_text(text=SAMPLE).changed is False


# --- Range notes ------------------------------------------------------------


def test_an_older_files_note_is_read_as_the_staff_note_and_exported_as_staff_note(tmp_path):
    older = SAMPLE.replace("        staff_note: the old relay\n", "        note: the old relay\n")
    assert "        note: the old relay\n" in older
    run_import(older, tmp_path=tmp_path)
    noted = IPRange.objects.get(network="198.51.100.7/32")
    assert (noted.public_note, noted.staff_note) == ("", "the old relay")
    exported = run_export()
    assert "staff_note: the old relay" in exported
    assert not re.search(r"^ *note:", exported, flags=re.M)


def test_a_range_with_both_note_and_staff_note_is_refused_at_the_old_key(tmp_path):
    text = SAMPLE.replace("        staff_note: the old relay\n", "        staff_note: a\n        note: b\n")
    (found,) = problems(text)
    assert "> note: “note” is the older name of “staff_note” and this range has both" in found


def test_an_older_files_note_that_is_too_long_is_named_at_its_own_key():
    text = SAMPLE.replace("        staff_note: the old relay\n", f"        note: {'x' * 201}\n")
    (found,) = problems(text)
    assert "> note:" in found and "at most 200 characters" in found


# --- The documentation and the demo ---------------------------------------------


def test_the_examples_in_format_md_are_valid():
    blocks = re.findall(r"```yaml\n(.*?)```", FORMAT_DOC.read_text(encoding="utf-8"), flags=re.S)
    sections = {
        block.split(":", 1)[0]: block
        for block in blocks
        if block.split(":", 1)[0] in ("mail_clients", "vendors", "articles")
    }
    assert set(sections) == {"mail_clients", "vendors", "articles"}
    document = parse(
        HEAD + "".join(sections.values()),
        stored_clients={"outlook", "outlook-classic", "apple-mail"},
    )
    assert [vendor.slug for vendor in document.vendors] == ["smarttrak"]


def test_demo_file_imports_cleanly_and_round_trips(tmp_path):
    assert DEMO.exists(), "fixtures/demo.yaml is the demo content `make run` loads"
    output = io.StringIO()
    call_command("import_helpcenter", str(DEMO), stdout=output)
    assert "Imported" in output.getvalue()
    assert Vendor.objects.count() >= 3
    assert Article.objects.public().exists()
    first = run_export()
    empty_database()
    run_import(first, tmp_path=tmp_path)
    assert run_export() == first
    # Importing the demo again over its own export changes nothing.
    assert "Importing it would change nothing." in run_import(
        DEMO.read_text(encoding="utf-8"), "--dry-run", tmp_path=tmp_path
    )


def nested_aliases(levels: int, width: int = 9) -> str:
    """A billion-laughs file: each anchor a list of ``width`` aliases to the one before."""
    lines = ["format: safelist-helpcenter/1", "x0: &a0 [lol]"]
    for level in range(1, levels):
        lines.append(f"x{level}: &a{level} [{', '.join([f'*a{level - 1}'] * width)}]")
    lines.append(f"vendors: [*a{levels - 1}]")
    return "\n".join(lines) + "\n"


def test_nested_aliases_are_refused_fast_and_in_little_memory(tmp_path):
    text = nested_aliases(levels=9)
    text = text + "#" * max(0, 5500 - len(text))  # the 5.5 KB file
    assert 5000 <= len(text.encode()) <= 6000
    tracemalloc.start()
    started = time.perf_counter()
    message = import_error(text, tmp_path)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert "repeat more than 10,000 values" in message
    assert re.search(r"line \d+", message)
    assert "Traceback" not in message
    assert elapsed < 0.5
    assert peak < 5 * 1024 * 1024


def test_a_long_text_repeated_by_aliases_is_refused_before_anything_is_written(tmp_path, acme):
    long = "x" * 50_000
    steps = ", ".join(["*long"] * 2_000)  # ~52 KB standing for 100 MB
    text = (
        f"format: safelist-helpcenter/1\nanchor: &long {long}\n"
        f"mail_clients:\n  - slug: gmail\n    name: Gmail\n    steps: [{steps}]\n"
    )
    assert 50_000 < len(text.encode()) < 70_000
    message = import_error(text, tmp_path)
    assert "longer than 5,242,880 characters" in message


def test_a_few_aliases_within_the_budget_are_read_on():
    found = problems(nested_aliases(levels=3))
    assert found
    assert not any("alias" in problem for problem in found)
    assert any("“x0” is not a key" in problem for problem in found)


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path):
    text = SAMPLE + "#" * (5 * 1024 * 1024)
    message = import_error(text, tmp_path)
    assert "a help center file may be at most 5,242,880 bytes" in message


# --- Dates of sender addresses and domains --------------------------------


DATED_FACTS = VENDOR + (
    "    sender_addresses:\n"
    "      - address: news@acme.example\n"
    "        added_on: 2023-01-01\n"
    "        retired_on: 2024-01-01\n"
    "      - address: news@acme.example\n"
    "        used_for: newsletters\n"
    "        added_on: 2024-02-01\n"
    "    sender_domains:\n"
    "      - domain: acme.example\n"
    "        added_on: 2023-01-01\n"
    "        retired_on: 2024-01-01\n"
    "      - domain: acme.example\n"
    "        added_on: 2024-02-01\n"
    "      - mail.acme.example\n"
)


def test_addresses_and_domains_keep_their_dates_and_may_be_listed_again_after_retirement(tmp_path):
    run_import(DATED_FACTS, tmp_path=tmp_path)
    acme = Vendor.objects.get(slug="acme")
    assert list(
        acme.sender_addresses.order_by("added_on").values_list("address", "added_on", "retired_on")
    ) == [
        ("news@acme.example", dt.date(2023, 1, 1), dt.date(2024, 1, 1)),
        ("news@acme.example", dt.date(2024, 2, 1), None),
    ]
    assert list(acme.sender_domains.active().values_list("domain", flat=True)) == [
        "acme.example",
        "mail.acme.example",
    ]
    assert acme.sender_domains.get(domain="mail.acme.example").added_on == timezone.localdate()


def test_dated_addresses_and_domains_round_trip_byte_for_byte(tmp_path):
    run_import(DATED_FACTS, tmp_path=tmp_path)
    first = run_export()
    assert "        retired_on: 2024-01-01\n" in first
    empty_database()
    run_import(first, tmp_path=tmp_path)
    assert run_export() == first
    assert "Importing it would change nothing." in run_import(first, "--dry-run", tmp_path=tmp_path)


def test_reimport_keeps_an_addresss_stored_date_when_the_file_leaves_it_out(tmp_path):
    run_import(DATED_FACTS, tmp_path=tmp_path)
    kept = SenderAddress.objects.get(retired_on=None)
    run_import(
        VENDOR + "    sender_addresses:\n      - address: news@acme.example\n        used_for: newsletters\n",
        tmp_path=tmp_path,
    )
    # The retired row, left out of the file, is deleted; the one in force keeps its pk and date.
    assert SenderAddress.objects.get().pk == kept.pk
    assert SenderAddress.objects.get().added_on == dt.date(2024, 2, 1)


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (
            "    sender_addresses:\n      - address: a@acme.example\n      - address: A@acme.example\n",
            "line 7, vendors[0] (acme) > sender_addresses[1] > address: The address a@acme.example is listed twice "
            "(first on line 6)",
        ),
        (
            "    sender_domains:\n      - acme.example\n      - domain: ACME.example\n",
            "line 7, vendors[0] (acme) > sender_domains[1] (ACME.example): The domain acme.example is listed twice "
            "(first on line 6)",
        ),
        (
            "    sender_addresses:\n      - address: a@acme.example\n"
            "        added_on: 2024-02-01\n        retired_on: 2024-01-01\n",
            "line 8, vendors[0] (acme) > sender_addresses[0] > retired_on: A sender address cannot be retired "
            "before it was added.",
        ),
        (
            "    sender_domains:\n      - domain: acme.example\n        retired: 2024-01-01\n",
            "line 7, vendors[0] (acme) > sender_domains[0] (acme.example) > retired: “retired” is not a key "
            "a sender domain can have. Did you mean “retired_on”?",
        ),
    ],
)
def test_bad_dated_facts_are_refused_with_their_line_and_nothing_changes(tmp_path, facts, expected):
    message = import_error(VENDOR + facts, tmp_path)
    assert expected in message
    assert not Vendor.objects.exists()
