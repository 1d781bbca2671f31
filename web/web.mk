# The patron website's end-to-end tests (included by the main Makefile).
# `make test-e2e`: installs Debian's Chromium if it is missing, the test packages if they are
# missing, builds the dev server, then runs the tests in headless Chromium.

E2E_REPO := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))..)
E2E_DIR := $(E2E_REPO)/tests/e2e
E2E_CHROMIUM ?= /usr/bin/chromium
E2E_SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
E2E_APT := $(E2E_SUDO) env DEBIAN_FRONTEND=noninteractive apt-get

.PHONY: test-e2e e2e-chromium e2e-node-modules

test-e2e: e2e-chromium e2e-node-modules
	# The same build as `make test-rust`, so the e2e step reuses it rather than resolving features anew.
	cd $(E2E_REPO) && cargo build --workspace --all-targets
	cd $(E2E_DIR) && node --test --test-concurrency=1 tests/

# Chromium from Debian only when missing (never a browser download); a Japanese font too,
# so that screenshots are readable (the tests pass without it).
e2e-chromium:
	@if [ ! -x $(E2E_CHROMIUM) ]; then \
		echo "installing chromium"; \
		$(E2E_APT) update -qq && $(E2E_APT) install -y -qq chromium fonts-noto-cjk; \
	elif ! (fc-list :lang=ja 2>/dev/null | grep -q .); then \
		echo "installing fonts-noto-cjk"; \
		($(E2E_APT) update -qq && $(E2E_APT) install -y -qq fonts-noto-cjk) || echo "no Japanese font: screenshots will show boxes"; \
	fi

e2e-node-modules:
	@if [ ! -d $(E2E_DIR)/node_modules ]; then \
		cd $(E2E_DIR) && npm ci --no-audit --no-fund; \
	fi
