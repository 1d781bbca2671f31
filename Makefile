# My Page: the library's patron self-service back end.
#   make run     the whole service locally (dev server, embedded store, demo data, website)
#   make test    every test: unit, store conformance (embedded + DynamoDB on moto), HTTP, jobs
#   make bench   round trips and items read per access pattern, the reminder job and catalog
#                search at scale, and each Lambda bootstrap's zip size, cold init and memory
#                (bench-coldstart)
#   make reindex finish the search indexing of titles whose indexing was cut off (the
#                `search-index` job) in the dev store (`STORE=dynamodb` for a table)
# Deployment targets (build, package, validate, deploy, lambda-check, bench-coldstart) are
# in infra/deploy.mk; the website's browser tests in web/web.mk.

SHELL       := /bin/bash
VENV        := .venv
PY          := $(VENV)/bin/python
PORT        ?= 3000
MOTO_LOG    := target/moto.log

.PHONY: run reindex test test-rust bench bench-store stress venv lint fmt

# The demo library is closed on Mondays (the policy's default is no weekly closed day).
RUN_CLOSED_WEEKDAYS ?= mon

run:
	POLICY_CLOSED_WEEKDAYS=$${POLICY_CLOSED_WEEKDAYS-$(RUN_CLOSED_WEEKDAYS)} cargo run -p dev-server

# Stop `make run` first when it uses the same data file (or POST /dev/run/search-index to it).
reindex:
	cargo run -q -p dev-server -- reindex

# A project-local Python venv with moto, the local DynamoDB / SES / Scheduler endpoint.
venv: $(VENV)/bin/moto_server
$(VENV)/bin/moto_server:
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check "moto[server]"

# Runs the Rust tests with a moto server on a free port, stopped however the tests end.
test-rust: venv
	cargo build --workspace --all-targets
	@mkdir -p target
	@bash infra/scripts/with-moto.sh cargo test --workspace --no-fail-fast

test: test-rust test-e2e validate

bench: bench-store bench-coldstart

bench-store: venv
	cargo build --release -p mypage-tests --bins
	@bash infra/scripts/with-moto.sh cargo run --release -q -p mypage-tests --bin bench

lint:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings

fmt:
	cargo fmt --all

-include infra/deploy.mk
-include web/web.mk

# The concurrency suite 20 times in a row, on both stores.
stress: venv
	cargo build -p mypage-tests --tests
	@bash infra/scripts/with-moto.sh bash -c 'for i in $$(seq 1 20); do echo "round $$i"; cargo test -q -p mypage-tests --test concurrency || exit 1; done'
