# My Page: the library's patron self-service back end.
#   make run     the whole service locally (dev server, embedded store, demo data, website)
#   make test    every test: unit, store conformance (embedded + DynamoDB on moto), HTTP, jobs
#   make bench   round trips and items read per access pattern, the reminder job and catalog
#                search at scale, and each Lambda bootstrap's zip size, cold init and memory
#                (bench-coldstart)
#   make reindex finish the search indexing of titles whose indexing was cut off (the
#                `search-index` job) in the dev store (`STORE=dynamodb` for a table)
#   make check-store  the store checker (TABLE_NAME=..., or STORE=embedded MYPAGE_DATA=...)
#   make load    a bounded load test on loopback, both stores (numbers in README.md)
# Deployment targets (build, package, validate, deploy, lambda-check, bench-coldstart) are
# in infra/deploy.mk; the website's browser tests in web/web.mk.

SHELL       := /bin/bash
VENV        := .venv
PY          := $(VENV)/bin/python
PORT        ?= 3000
MOTO_LOG    := target/moto.log

.PHONY: run reindex test test-rust bench bench-store stress venv lint fmt check-store load

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

# The store checker: every invariant of every record (README, infra/DEPLOY.md). On DynamoDB
# give TABLE_NAME (and AWS credentials; a point-in-time restore is the exact answer); for
# the embedded store STORE=embedded MYPAGE_DATA=target/mypage-dev.json. Exit 1 on a finding.
check-store:
	cargo run -q -p mypage-tests --bin check-store

# A bounded load test on loopback: a Monday-morning mix at a fixed rate for LOAD_SECONDS
# (60) against the dev server, embedded store (LOAD_RATE, 40/s) and DynamoDB on moto
# (LOAD_RATE_DYNAMODB, 8/s: moto is one Python thread). A benchmark, not a test.
LOAD_SECONDS ?= 60
LOAD_RATE ?= 40
LOAD_RATE_DYNAMODB ?= 8
load: venv
	cargo build --release -p dev-server -p mypage-tests --bin load --bin dev-server
	@bash infra/scripts/with-moto.sh env LOAD_SECONDS=$(LOAD_SECONDS) LOAD_RATE=$(LOAD_RATE) LOAD_RATE_DYNAMODB=$(LOAD_RATE_DYNAMODB) \
	  cargo run --release -q -p mypage-tests --bin load

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
