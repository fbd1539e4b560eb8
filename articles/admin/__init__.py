"""The admin where support staff keep the facts, the steps and the articles.

Declarative first, in the manner of Django's contrib apps. Custom views only
where a task needs one: pasting many ranges with a verdict per line, and
previewing an article as readers will see it. Every Markdown field, inlines
included, gets django-markdownx's live preview, rendered by our own
sanitising renderer at a staff-only URL (see helpcenter/urls.py).

One module per area: ``facts`` (vendors and ranges), ``content`` (mail
clients, steps, articles), ``search`` (synonyms, promotions, the report), ``notify`` (subscribers,
webhooks, the outbox), ``feedback`` (readers' answers and their report).
"""

from django.contrib import admin

from articles.admin import content, facts, feedback, notify, search

admin.site.site_header = "Safelist Help Center"
admin.site.site_title = "Safelist Help Center admin"
admin.site.index_title = "Facts, steps and articles"

__all__ = ["content", "facts", "feedback", "notify", "search"]
