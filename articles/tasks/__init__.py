"""The background worker's tasks: what runs outside a request, and when.

The worker is huey (``manage.py run_huey``, ``make worker``). Why huey: it is
small, kept up to date, and has in one dependency what the site needs from a
worker: periodic tasks checked once a minute, Redis as the shared store in
production (``REDIS_URL``) and a SQLite file for a first look (``make run``,
no Redis), retries and delays for mail (issue 10), and Django integration
(the ``run_huey`` command, database connections closed around each task).
Django's task API (``django.tasks`` in Django 6, the django-tasks backport on
5.2) defines tasks and backends but schedules nothing: periodic tasks would
still need cron or a second tool. huey ships a backend for that API
(``huey.contrib.djhuey.tasks_backend.HueyBackend``), so tasks written against
it (the outbox of issue 10) can run in this same worker, and moving to another
backend later is a settings change.

One module per concern, as elsewhere; a periodic task is declared with
``periodic.daily_task``, which fixes its time in the site's time zone and
keeps several workers from running it twice. ``run_huey`` imports this
package to find the tasks, so it imports each module that declares one.
"""

from articles.tasks import (  # noqa: F401 (registers their tasks with the worker)
    facts_due,
    notify,
    range_pastes,
    read_counts,
    scheduled,
    search_log,
)
