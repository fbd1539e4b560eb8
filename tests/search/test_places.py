"""Which section of an article a result leads to (articles/search/places.py): pure, no database."""

from __future__ import annotations

from articles.search.backends.base import SectionText, TextQuery
from articles.search.places import in_query_order, names_of, order


def section(position, anchor, name, text="", kind="client", aliases=""):
    return SectionText(1, position, kind, anchor, name, aliases, text)


OUTLOOK = section(
    1, "outlook", "Outlook (Microsoft 365 and new Outlook)", "Junk email", aliases="Outlook, outlook"
)
CLASSIC = section(
    2,
    "outlook-classic",
    "Classic Outlook for Windows",
    "Junk E-mail Options",
    aliases="Classic Outlook, outlook classic",
)
WEB = section(
    3, "outlook-web", "Outlook on the web and Outlook.com", "Junk", aliases="Outlook.com, outlook web"
)
EXCHANGE = section(
    4,
    "exchange-online",
    "Exchange Online / Microsoft 365 admin",
    "IP",
    aliases="Exchange Online, exchange online",
)
APPLE = section(
    5, "apple-mail", "Apple Mail (Mac, iPhone and iPad)", "rule", aliases="Apple Mail, apple mail"
)
TOP = section(
    0, "", "Make sure Acme email reaches you", "Junk email options are everywhere.\nAcme sends.", "top"
)
ALL = [TOP, OUTLOOK, CLASSIC, WEB, EXCHANGE, APPLE]


def first(*groups: tuple[str, ...], phrase: str = "") -> str:
    return order(ALL, TextQuery(groups, phrase))[1][0].section.anchor


def test_a_mail_programs_names_are_each_part_of_its_name_and_its_distinctive_words():
    names = names_of(APPLE)
    assert ("apple", "mail") in names and ("iphone",) in names and ("mac",) in names
    assert ("mail",) not in names


def test_a_program_named_by_a_synonym_leads_to_its_section():
    assert first(("hotmail", "outlook", "outlook.com")) == "outlook-web"
    assert first(("o365", "microsoft 365", "office 365", "exchange online"), ("whitelist",)) == "outlook"
    assert first(("iphone",)) == "apple-mail"


def test_a_name_over_several_terms_wins_over_one_word_of_it():
    groups = (("outlook", "hotmail", "outlook.com"), ("safe senders", "whitelist"), ("classic",))
    assert first(*groups, phrase="classic outlook safe senders") == "outlook-classic"
    office = (("office 365", "microsoft 365", "o365", "exchange online"), ("admin",))
    assert first(*office, phrase="office 365 admin") == "exchange-online"


def test_groups_are_read_in_the_order_the_reader_typed_them():
    query = TextQuery((("outlook", "hotmail"), ("classic",)), "classic outlook")
    assert in_query_order(query) == [("classic",), ("outlook", "hotmail")]


def test_without_a_program_named_the_top_counts_only_its_own_text_not_the_summary():
    # The summary (first line) matches every word; the classic section matches them in its text.
    assert first(("junk",), ("email",), ("options",)) == "outlook-classic"
    assert first(("acme",)) == ""
