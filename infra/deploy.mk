# Build, package, validate, deploy and benchmark the Lambda functions.
# Included by the main Makefile (`-include infra/deploy.mk`); run from the repository root.
# See infra/DEPLOY.md.
#
#   make build [ARCH=x86_64]     release bootstraps  -> target/lambda-build/lambda/<arch>/<fn>/bootstrap
#   make package [ARCH=...]      deployment zips     -> target/lambda-zips/<fn>.zip
#   make validate                sam validate --lint + cfn-lint (offline, dummy credentials)
#   make deploy [ARCH=...]       sam build + sam deploy (--guided the first time), then web/ to
#                                the site bucket and a CloudFront invalidation
#   make lambda-check            every function builds for x86_64, and for arm64 if its std is available
#   make bench-coldstart         zip size, cold init and peak RSS per function vs. a bare lambda_runtime
#
# build/package/deploy/validate are aliases without a recipe, so they only add to a
# same-named target of the main Makefile; the recipes live under the lambda-/sam- names.

DEPLOY_VENV        ?= .venv
DEPLOY_BIN         := $(abspath $(DEPLOY_VENV))/bin
ARCH               ?= arm64
REGION             ?= ap-northeast-1
LAMBDA_TARGET_DIR  ?= target/lambda-build
LAMBDA_OUT_DIR     ?= $(LAMBDA_TARGET_DIR)/lambda
LAMBDA_ZIP_DIR     ?= target/lambda-zips
BENCH_DIR          ?= target/bench
BENCH_RUNS         ?= 11
BENCH_BACKEND      ?= stub
LAMBDA_FUNCTIONS   ?= $(sort $(patsubst functions/%/Cargo.toml,%,$(wildcard functions/*/Cargo.toml)))
BENCH_BASELINE     := hello-lambda
# Re-enter whichever makefile was run (the main Makefile, or this file with -f).
DEPLOY_MAKE        := $(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST))

# Builds share 2 cores with the people working here: lowest priority, one job, own target dir.
LAMBDA_CARGO_ENV   := PATH="$(DEPLOY_BIN):$$PATH" CARGO_TARGET_DIR=$(abspath $(LAMBDA_TARGET_DIR)) CARGO_BUILD_JOBS=$${CARGO_BUILD_JOBS:-1}
LAMBDA_NICE        := nice -n 19
# sam/cfn-lint never reach AWS here: a region and dummy credentials are enough.
SAM_OFFLINE_ENV    := AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=$(REGION) SAM_CLI_TELEMETRY=0

.PHONY: build package deploy validate
build: lambda-build
package: lambda-package
deploy: sam-deploy
validate: sam-validate

.PHONY: deploy-tools lambda-build lambda-package sam-validate sam-deploy lambda-check \
        bench-coldstart drift-check arm64-std

# Installs the AWS SAM CLI and cargo-lambda (with zig, from PyPI) into the project venv.
deploy-tools:
	@test -x $(DEPLOY_BIN)/python || python3 -m venv $(DEPLOY_VENV)
	@test -x $(DEPLOY_BIN)/sam || $(DEPLOY_BIN)/pip install --quiet --disable-pip-version-check aws-sam-cli
	@test -x $(DEPLOY_BIN)/cargo-lambda || $(DEPLOY_BIN)/pip install --quiet --disable-pip-version-check cargo-lambda
	@test -x $(DEPLOY_BIN)/cfn-lint || $(DEPLOY_BIN)/pip install --quiet --disable-pip-version-check cfn-lint

# arm64 needs Rust's aarch64 std, which rustup downloads; fails with a reason if it can't.
arm64-std:
	@rustup target list --installed 2>/dev/null | grep -qx aarch64-unknown-linux-gnu || \
	  timeout 120 rustup target add aarch64-unknown-linux-gnu || \
	  { echo "*** arm64 unavailable: 'rustup target add aarch64-unknown-linux-gnu' failed (no access to Rust's download server?)." >&2; \
	    echo "*** Build with ARCH=x86_64 and deploy with the Architecture parameter set to x86_64." >&2; exit 1; }

lambda-build: deploy-tools
	@test -n "$(LAMBDA_FUNCTIONS)" || { echo "no crates under functions/" >&2; exit 1; }
	@case "$(ARCH)" in arm64) $(DEPLOY_MAKE) arm64-std ;; x86_64) ;; \
	  *) echo "ARCH must be arm64 or x86_64, not $(ARCH)" >&2; exit 2 ;; esac
	$(LAMBDA_CARGO_ENV) $(LAMBDA_NICE) cargo lambda build --release \
	  $(if $(filter arm64,$(ARCH)),--arm64,--x86-64) $(addprefix -p ,$(LAMBDA_FUNCTIONS)) \
	  --lambda-dir $(LAMBDA_OUT_DIR)/$(ARCH)
	@echo "bootstraps: $(LAMBDA_OUT_DIR)/$(ARCH)/<function>/bootstrap"

# Same compilation as lambda-build (cached), zipped by cargo-lambda, renamed <fn>.zip.
lambda-package: lambda-build
	$(LAMBDA_CARGO_ENV) $(LAMBDA_NICE) cargo lambda build --release --output-format zip \
	  $(if $(filter arm64,$(ARCH)),--arm64,--x86-64) $(addprefix -p ,$(LAMBDA_FUNCTIONS)) \
	  --lambda-dir $(LAMBDA_TARGET_DIR)/zip/$(ARCH)
	@rm -rf $(LAMBDA_ZIP_DIR) && mkdir -p $(LAMBDA_ZIP_DIR)
	@for f in $(LAMBDA_FUNCTIONS); do cp $(LAMBDA_TARGET_DIR)/zip/$(ARCH)/$$f/bootstrap.zip $(LAMBDA_ZIP_DIR)/$$f.zip; done
	@echo $(ARCH) > $(LAMBDA_ZIP_DIR)/ARCH
	@ls -l $(LAMBDA_ZIP_DIR)

sam-validate: deploy-tools
	$(SAM_OFFLINE_ENV) $(DEPLOY_BIN)/sam validate --lint --region $(REGION) --template-file template.yaml
	$(DEPLOY_BIN)/cfn-lint template.yaml

# The drift tests alone (template.yaml / openapi.yaml / the functions' routers / docs).
drift-check:
	cargo test -p deploy-checks

# sam build runs cargo lambda per function (in the shared lambda target dir); the first
# deploy is guided and saves the answers in samconfig.toml, later ones reuse them.
sam-deploy: deploy-tools sam-validate
	@case "$(ARCH)" in arm64) $(DEPLOY_MAKE) arm64-std ;; esac
	$(LAMBDA_CARGO_ENV) SAM_CLI_TELEMETRY=0 $(DEPLOY_BIN)/sam build --template-file template.yaml \
	  --parameter-overrides Architecture=$(ARCH)
	@if grep -q '^parameter_overrides' samconfig.toml 2>/dev/null; then \
	  echo "using the saved answers in samconfig.toml (check that Architecture there is $(ARCH))"; \
	  SAM_CLI_TELEMETRY=0 $(DEPLOY_BIN)/sam deploy; \
	else \
	  SAM_CLI_TELEMETRY=0 $(DEPLOY_BIN)/sam deploy --guided --parameter-overrides Architecture=$(ARCH); \
	fi
	# The website: web/ to the private bucket, then a CloudFront invalidation.
	$(DEPLOY_BIN)/python infra/scripts/upload_site.py \
	  "$$(sed -n 's/^stack_name *= *"\(.*\)"/\1/p' samconfig.toml | head -1)" $(REGION) web

# Every function must build for x86_64; arm64 is tried and skipped loudly if its std is missing.
lambda-check: deploy-tools
	@test -n "$(LAMBDA_FUNCTIONS)" || { echo "no crates under functions/" >&2; exit 1; }
	@set -e; \
	$(DEPLOY_MAKE) lambda-build ARCH=x86_64; \
	sh infra/checks/check-bootstraps.sh $(LAMBDA_OUT_DIR)/x86_64 $(LAMBDA_FUNCTIONS); \
	if $(DEPLOY_MAKE) arm64-std; then \
	  $(DEPLOY_MAKE) lambda-build ARCH=arm64; \
	  sh infra/checks/check-bootstraps.sh $(LAMBDA_OUT_DIR)/arm64 $(LAMBDA_FUNCTIONS); \
	else \
	  echo ""; \
	  echo "#####################################################################"; \
	  echo "### lambda-check: arm64 SKIPPED - Rust's aarch64-unknown-linux-gnu ###"; \
	  echo "### std could not be installed (see the rustup error above).       ###"; \
	  echo "### Only x86_64 was checked.                                       ###"; \
	  echo "#####################################################################"; \
	fi

# Cold start of each x86_64 release bootstrap (unzipped from its deployment zip, so the
# measured binary is the shipped one) under infra/runtime-emulator, against the emulator's
# instant AWS stub (BENCH_BACKEND=stub), moto (moto, if the venv has it) or an unused local
# port (none); BENCH_RUNS rounds; table in $(BENCH_DIR)/coldstart.md.
bench-coldstart: deploy-tools
	@test -n "$(LAMBDA_FUNCTIONS)" || echo "note: no crates under functions/ yet; measuring the baseline only"
	$(LAMBDA_CARGO_ENV) $(LAMBDA_NICE) cargo build --release -p runtime-emulator
	$(LAMBDA_CARGO_ENV) $(LAMBDA_NICE) cargo lambda build --release --x86-64 --output-format zip \
	  $(addprefix -p ,$(BENCH_BASELINE) $(LAMBDA_FUNCTIONS)) --lambda-dir $(LAMBDA_TARGET_DIR)/zip/x86_64
	BENCH_RUNS=$(BENCH_RUNS) BENCH_BACKEND=$(BENCH_BACKEND) BENCH_DIR=$(BENCH_DIR) DEPLOY_BIN=$(DEPLOY_BIN) \
	  sh infra/checks/bench-coldstart.sh $(LAMBDA_TARGET_DIR) $(BENCH_BASELINE) $(LAMBDA_FUNCTIONS)
