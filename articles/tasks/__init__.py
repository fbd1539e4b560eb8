"""The background worker's tasks: what runs outside a request, and when.

The worker is huey (``manage.py run_huey``, ``make worker``). Why huey: it is
small, kept up to date, and has in one dependency what the site needs from a
worker: periodic tasks checked once a minute, Redis as the shared store in
production (``REDIS_URL``) and a SQLite file for a first look (``make run``,
no Redis), retries and delays for mail (issue 10), and Django integration
(the ``run_huey`` command, database connections closed around each task).
Django's own task API (``django.tasks``, the django-tasks backport on Django
5.2) has no scheduler and no worker of its own; huey also serves as a backend
for it (``huey.contrib.djhuey.tasks_backend``) if the site moves there.

One module per concern, as elsewhere; a periodic task is declared with
``periodic.daily_task``, which fixes its time in the site's time zone and
keeps several workers from running it twice. ``run_huey`` imports this
package to find the tasks, so it imports each module that declares one.
"""

from articles.tasks import search_log  # noqa: F401 (registers its tasks with the worker)
