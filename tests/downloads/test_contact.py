"""The contact card and the Gmail filter, read back by real parsers: vobject, ElementTree."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import vobject

from articles.downloads import contact
from articles.downloads.published import Facts, Sender

CHANGED = dt.datetime(2026, 1, 15, 9, 30, 5, tzinfo=dt.UTC)
ATOM = "{http://www.w3.org/2005/Atom}"
APPS = "{http://schemas.google.com/apps/2006}"


def parse_xml(text: str | bytes) -> ET.Element:
    return ET.fromstring(text)  # noqa: S314 - the site's own output, not untrusted input


def facts(**overrides) -> Facts:
    values = {
        "id": 7,
        "slug": "acme",
        "name": "Acme Mail",
        "changed_at": CHANGED,
        "website": "https://acme.example",
        "addresses": (Sender("alerts@acme.example", "password resets"), Sender("billing@acme.example")),
        "domains": ("acme.example",),
    }
    values.update(overrides)
    return Facts(**values)


# vCard -------------------------------------------------------------------------------------


def test_vcard_parses_with_every_sender_address_and_the_primary_one_preferred():
    text = contact.vcard(facts())
    card = vobject.readOne(text)
    assert card.version.value == "4.0"
    assert card.fn.value == "Acme Mail"
    emails = card.contents["email"]
    assert [e.value for e in emails] == ["alerts@acme.example", "billing@acme.example"]
    assert emails[0].params.get("PREF") == ["1"] and "PREF" not in emails[1].params
    assert card.url.value == "https://acme.example"
    assert "alerts@acme.example: password resets" in card.note.value
    assert card.rev.value == "20260115T093005Z"


def test_vcard_lines_end_in_crlf_and_fold_at_75_octets_without_splitting_characters():
    long_name = "Ünïcödé Vendor " * 12
    text = contact.vcard(facts(name=long_name))
    assert text.endswith("END:VCARD\r\n") and "\n" not in text.replace("\r\n", "")
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75
    assert vobject.readOne(text).fn.value == long_name.strip()


def test_vcard_escapes_commas_semicolons_and_backslashes_and_keeps_each_text_on_one_line():
    tricky = "Acme, Inc.; Mail \\ Billing"
    card = vobject.readOne(
        contact.vcard(facts(name=tricky, addresses=(Sender("a@acme.example", "line\nbreak"),)))
    )
    assert card.fn.value == tricky
    assert card.note.value.splitlines() == [
        f"{tricky} sends mail from these addresses.",
        "a@acme.example: line break",
    ]


def test_vcard_uid_is_stable_for_the_vendor_and_differs_between_vendors():
    assert contact.vcard_uid(facts()) == contact.vcard_uid(facts(slug="renamed", name="Renamed"))
    assert contact.vcard_uid(facts()) != contact.vcard_uid(facts(id=8))


def test_vcard_of_a_vendor_without_addresses_is_still_a_valid_card():
    card = vobject.readOne(contact.vcard(facts(addresses=(), website="")))
    assert card.fn.value == "Acme Mail" and "email" not in card.contents


# Gmail filter ------------------------------------------------------------------------------


def test_gmail_filter_is_an_atom_feed_with_one_never_spam_filter():
    root = parse_xml(contact.gmail_filter(facts()))
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 1
    assert entries[0].find(f"{ATOM}category").get("term") == "filter"
    properties = {p.get("name"): p.get("value") for p in entries[0].findall(f"{APPS}property")}
    assert properties == {
        "from": "alerts@acme.example OR billing@acme.example OR @acme.example",
        "shouldNeverSpam": "true",
    }


def test_gmail_filter_escapes_names_that_look_like_markup():
    root = parse_xml(contact.gmail_filter(facts(name='Acme <"&"> Mail')))
    assert root.find(f"{ATOM}title").text == 'Mail filters: Acme <"&"> Mail'


def test_gmail_filter_without_senders_has_no_entry():
    root = parse_xml(contact.gmail_filter(facts(addresses=(), domains=())))
    assert root.findall(f"{ATOM}entry") == []


# Hostile facts -----------------------------------------------------------------------------

FORM_FEEDS = '"\x0c*\x0c"@acme.example'
CONTROLS = "".join(chr(code) for code in [*range(0x20), 0x7F, *range(0x80, 0xA0)])


def test_vcard_drops_every_c0_and_c1_control_character_from_text():
    card_text = contact.vcard(
        facts(name=f"Ac{CONTROLS}me", addresses=(Sender("alerts@acme.example", f"re{CONTROLS}sets"),))
    )
    assert not any(char in card_text.replace("\r\n", "") for char in CONTROLS)
    card = vobject.readOne(card_text)
    assert card.fn.value == "Ac me"
    assert "alerts@acme.example: re sets" in card.note.value


def test_vcard_leaves_out_addresses_that_are_not_valid_and_a_website_that_is_not_plain():
    addresses = (Sender(FORM_FEEDS), Sender("a b@acme.example"), Sender("alerts@acme.example"))
    card = vobject.readOne(contact.vcard(facts(addresses=addresses, website="javascript:alert(1)")))
    assert [e.value for e in card.contents["email"]] == ["alerts@acme.example"]
    assert card.contents["email"][0].params.get("PREF") == ["1"]
    assert "url" not in card.contents
    assert "*" not in card.note.value


def test_gmail_filter_with_form_feeds_in_an_address_is_well_formed_and_leaves_it_out():
    text = contact.gmail_filter(
        facts(
            name=f"Acme{CONTROLS}\ufffe\uffff", addresses=(Sender(FORM_FEEDS), Sender("alerts@acme.example"))
        )
    )
    root = parse_xml(text)
    properties = {p.get("name"): p.get("value") for p in root.iter(f"{APPS}property")}
    assert properties["from"] == "alerts@acme.example OR @acme.example"
    assert root.find(f"{ATOM}title").text == "Mail filters: Acme"


def test_gmail_filter_leaves_out_terms_gmail_would_read_as_search_syntax():
    addresses = (
        Sender("a@acme.example OR -b@acme.example"),
        Sender("(x)@acme.example"),
        Sender("c@acme.example"),
    )
    root = parse_xml(contact.gmail_filter(facts(addresses=addresses, domains=("*", "{evil}.example"))))
    properties = {p.get("name"): p.get("value") for p in root.iter(f"{APPS}property")}
    assert properties["from"] == "c@acme.example"
