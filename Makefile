# Safelist Help Center. Quick start: `make run`, then `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
# The background worker (huey): mail and webhook delivery from the outbox, the daily digest,
# and scheduled tasks such as the nightly search log prune.
WORKER := manage.py run_huey
# Secrets for local runs and tests only; production sets its own SECRET_KEY.
TEST_ENV := DEBUG=0 SECURE_SSL_REDIRECT=0 SECRET_KEY=test-only-$(shell $(PYTHON) -c 'import secrets; print(secrets.token_hex(32))') ALLOWED_HOSTS=testserver,localhost,127.0.0.1

.PHONY: help install run serve worker test lint format superuser clean bench bench-search bench-writes

help:
	@echo "make run     - first look: SQLite, demo data, http://127.0.0.1:$(PORT), and the worker"
	@echo "make test    - the whole test suite (SQLite unless DATABASE_URL is set)"
	@echo "make serve   - production server: gunicorn, compressed static files"
	@echo "make worker  - production background worker: mails, webhooks, scheduled tasks (run beside make serve)"
	@echo "make superuser - create an admin login for /admin/"
	@echo "make lint    - ruff check, format check and the import contracts (lint-imports)"
	@echo "make bench-writes - queries and time of saving 1 and 50 ranges (SQLite, demo data)"
	@echo "make bench   - pages served by gunicorn under wrk, side by side with the limit (BENCH_REDIS_URL: also with Redis)"
	@echo "make bench-search - search latency on 10,000 articles and 1,000,000 IP ranges (PostgreSQL)"

$(BIN)/.installed: requirements.txt requirements-dev.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(BIN)/.installed

run: install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py import_helpcenter fixtures/demo.yaml --if-empty
	@echo ""
	@echo "Safelist Help Center: http://127.0.0.1:$(PORT)/   admin: http://127.0.0.1:$(PORT)/admin/"
	@echo "To sign in to the admin, create a login first: make superuser"
	@echo ""
	# The worker runs in the background for as long as the web server; Ctrl-C stops both.
	DEBUG=1 $(BIN)/python $(WORKER) & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT; trap 'exit 130' INT TERM; \
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

superuser: install
	DEBUG=1 $(BIN)/python manage.py createsuperuser

serve: install
	$(BIN)/python manage.py collectstatic --noinput
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/gunicorn helpcenter.wsgi --bind $${BIND:-0.0.0.0:$(PORT)} --workers $${WEB_CONCURRENCY:-3} --access-logfile -

worker: install
	$(BIN)/python $(WORKER)

test: install
	$(TEST_ENV) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(TEST_ENV) $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache

# Search latency on generated data: 10,000 articles and 1,000,000 IP ranges in
# PostgreSQL. Uses DATABASE_URL if it is set (it must be PostgreSQL and hold
# nothing but benchmark data), else a database of its own, created if missing.
bench-search: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/helpcenter_bench} $(TEST_ENV) $(BIN)/python manage.py bench_search $(BENCH_ARGS)

# Write paths on the demo in a throwaway SQLite database: the vendor page's
# inline save and the paste tool, 1 and 50 ranges for a vendor with 20 articles.
bench-writes: install
	$(TEST_ENV) $(BIN)/python tests/bench_writes.py

# Pages under load: gunicorn (2 sync workers) and wrk on a throwaway SQLite copy of the
# demo, each page beside the limit (the guide as a static file). BENCH_REDIS_URL (a Redis
# database of its own: it is flushed) adds a run with Redis. BENCH_ARGS: --seconds N.
bench: install
	$(TEST_ENV) BENCH_REDIS_URL=$(BENCH_REDIS_URL) $(BIN)/python manage.py bench_pages $(BENCH_ARGS)
