"""A large generated help center for the search benchmark (``manage.py bench_search``).

Vendors, mail clients with generic steps, articles with client sections and
IP ranges, all from one seeded random generator, so the same seed gives the
same data. Text is drawn from words readers and articles share and from
made-up words, a few very common and most rare, as in real text, so that a
benchmark query of common words matches thousands of articles. Rows are
written with ``bulk_create`` and the ranges with PostgreSQL's COPY; the search
index is built once, at the end.
"""

from __future__ import annotations

import datetime as dt
import io
import ipaddress
import random
import time
from collections.abc import Callable

from django.db import connection, transaction
from django.utils import timezone

from articles.content.models import Article, ArticleClient, MailClient, Step, StepList
from articles.facts import networks
from articles.facts.models import IPRange, SenderAddress, SenderDomain, Vendor
from articles.search import index

#: Every generated vendor's slug starts so: how the benchmark tells its own data.
PREFIX = "bench-"

# Words readers and articles share, so that generated queries find something.
_DOMAIN_WORDS_TEXT = """allowlist whitelist safelist spam junk bulk folder inbox outlook gmail yahoo icloud
thunderbird exchange workspace postfix cpanel spamassassin sender address domain range bounce relay
rejected envelope quarantine filter rule contacts trusted approved blocked delivery notification
password reset digest newsletter invoice reminder server gateway firewall connection report
administrator mailbox message header forward reply subscribe unsubscribe verify authentication
encryption certificate policy tenant"""
DOMAIN_WORDS = _DOMAIN_WORDS_TEXT.split()
_SYLLABLES_TEXT = "ba be bi bo bu da de di do ka ke ki ko la le li lo ma me mi mo na ne ni no ra re ri ro sa se si so ta te ti to va ve vi vo za ze zo"
SYLLABLES = _SYLLABLES_TEXT.split()
_CLIENTS = ["outlook", "gmail", "yahoo", "apple-mail", "thunderbird", "icloud", "postfix", "cpanel"]
_KINDS = [Article.Kind.GUIDE, Article.Kind.TROUBLESHOOTING, Article.Kind.EXPLAINER, Article.Kind.REFERENCE]


def vocabulary(rng: random.Random) -> list[str]:
    """The words generated text is made of, most common first: the shared words, then 4,000 made up."""
    words: set[str] = set()
    while len(words) < 4000:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return DOMAIN_WORDS + sorted(words)


class HelpCenterGenerator:
    """Fills the database with generated rows; ``say`` reports progress."""

    def __init__(self, rng: random.Random, words: list[str], say: Callable[[str], None]):
        self.rng = rng
        self.words = words
        # Zipf-like: a few words very common, most rare.
        self.weights = [1 / (rank + 1) for rank in range(len(words))]
        self.say = say

    def text(self, words: int) -> str:
        """Sentences of twelve words, ``words`` words in all."""
        chosen = self.rng.choices(self.words, weights=self.weights, k=words)
        sentences = [" ".join(chosen[i : i + 12]).capitalize() + "." for i in range(0, len(chosen), 12)]
        return " ".join(sentences)

    def generate(self, vendor_count: int, article_count: int, range_count: int) -> None:
        """Replace everything in the help center's tables with generated rows, then index them."""
        rng = self.rng
        started = time.perf_counter()
        with connection.cursor() as cursor:
            models = (Vendor, MailClient, Article, IPRange, SenderAddress, SenderDomain, StepList, Step)
            tables = [model._meta.db_table for model in models]
            cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        # Not through services.changes, which would index row by row: the index is built once, at the end.
        with transaction.atomic():
            clients = MailClient.objects.bulk_create(
                MailClient(
                    slug=slug, name=slug.title(), audience="it" if slug in {"postfix", "cpanel"} else "person"
                )
                for slug in _CLIENTS
            )
            step_lists = StepList.objects.bulk_create(StepList(mail_client=client) for client in clients)
            Step.objects.bulk_create(
                Step(step_list=step_list, position=position, text=self.text(14) + " {{ primary_address }}")
                for step_list in step_lists
                for position in range(5)
            )
            vendors = Vendor.objects.bulk_create(
                Vendor(slug=f"{PREFIX}{number:04d}", name=f"{rng.choice(self.words).title()} {number}")
                for number in range(vendor_count)
            )
            SenderAddress.objects.bulk_create(
                SenderAddress(vendor=vendor, address=f"news@{vendor.slug}.example", used_for="newsletters")
                for vendor in vendors
            )
            SenderDomain.objects.bulk_create(
                SenderDomain(vendor=vendor, domain=f"{vendor.slug}.example") for vendor in vendors
            )
            self._copy_ranges(vendors, range_count)
            now = timezone.now() - dt.timedelta(days=1)
            articles = Article.objects.bulk_create(
                Article(
                    vendor=vendors[number % vendor_count],
                    slug=f"article-{number}",
                    kind=_KINDS[number % 4],
                    title=f"{vendors[number % vendor_count].name} {self.text(5)[:-1]}",
                    summary=self.text(20),
                    body="\n\n".join(f"## {self.text(4)}\n\n{self.text(80)}" for _ in range(3)),
                    show_it_section=number % 4 == 0,
                    status=Article.Status.PUBLISHED,
                    published_at=now,
                )
                for number in range(article_count)
            )
            ArticleClient.objects.bulk_create(
                ArticleClient(article=article, mail_client=client, position=position)
                for article in articles
                if article.kind == Article.Kind.GUIDE
                for position, client in enumerate(rng.sample(clients, 3))
            )
            self.say(f"Generated the rows in {time.perf_counter() - started:.0f} s; indexing…")
            index.rebuild()
        self.say(f"Built the benchmark data in {time.perf_counter() - started:.0f} s.")

    def _copy_ranges(self, vendors: list[Vendor], count: int) -> None:
        """IP ranges by COPY: one /24-aligned block each (5% IPv6 /48s), never overlapping."""
        rows = io.StringIO()
        today = timezone.localdate().isoformat()
        # Public space only, as the admin would insist (sender_ranges.check_sender_range):
        # IPv4 from 11.0.0.0 stays clear of 100.64.0.0/10 up to 5.8 million
        # ranges; IPv6 from 2600:: stays in global unicast however many.
        first_v4 = int(ipaddress.ip_address("11.0.0.0"))
        first_v6 = int(ipaddress.ip_address("2600::"))
        for number in range(count):
            vendor = vendors[number % len(vendors)]
            tier = "primary" if number % 10 == 0 else "additional"
            if number % 20 == 19:
                start = first_v6 + (number << 80)
                prefix = 48
                end = start + (1 << 80) - 1
                network = f"{ipaddress.IPv6Address(start)}/48"
                version = 6
            else:
                start = first_v4 + (number << 8)
                prefix = self.rng.choice((24, 25, 26, 27, 28, 32))
                end = start + (1 << (32 - prefix)) - 1
                network = f"{start >> 24}.{start >> 16 & 255}.{start >> 8 & 255}.{start & 255}/{prefix}"
                version = 4
            rows.write(
                f"{vendor.pk}\t{network}\t{version}\t{prefix}\t{networks.key(start, version)}"
                f"\t{networks.key(end, version)}\t{tier}\t\t\t{today}\t\\N\n"
            )
        rows.seek(0)
        columns = 'vendor_id, network, version, prefixlen, start, "end", tier, public_note, staff_note, added_on, retired_on'
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(f"COPY {IPRange._meta.db_table} ({columns}) FROM STDIN", rows)
