# chatconform: conformance suite for the ACS Chat participants API.
# `make conformance` runs the suite; `make test` passes the project's own tests.

GO          ?= go
GINKGO      := $(GO) tool ginkgo
SUITE       := ./suites/participants
REPORT_DIR  := $(abspath $(or $(CHAT_REPORT_DIR),reports))
ENV_FILE    := $(or $(CHAT_ENV_FILE),$(CURDIR)/.env)
VERSION      ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS      := -X github.com/chatconform/chatconform/internal/report.Version=$(VERSION)
CERT_ARCHIVE ?= dist/chatconform-certification.tar.gz
REPORT_FILES := junit.xml report.json results.json summary.md report.html
GINKGO_ARGS ?=
# The process count follows the server's round trip, not the CPU count:
# unset, `chatconform procs` measures it (1 against the embedded server;
# internal/procs). PROCS=N chooses it.
PROCS       ?=
# Colour only on a terminal and without NO_COLOR (evaluated by the recipe's
# shell, whose stdout is make's).
COLOR        = $$( [ -t 1 ] && [ -z "$$NO_COLOR" ] || echo --no-color )
# Packages of the project's own tests: the suite itself runs through the
# fault matrix (internal/faults), never against whatever .env points at.
TEST_PKGS    = $(shell $(GO) list ./... | grep -v /suites/)

export CHAT_REPORT_DIR := $(REPORT_DIR)
export CHAT_ENV_FILE   := $(if $(wildcard $(ENV_FILE)),$(ENV_FILE),)

.PHONY: help conformance test vet selftest refserver interop build certify report-screenshot bench

help: ## List the targets
	@awk 'BEGIN {FS = ":.*?## "} /^[a-zA-Z_-]+:.*?## / {printf "  %-18s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

conformance: ## Run the suite (embedded reference server when nothing is configured); reports in $CHAT_REPORT_DIR; exits with the verdict's status
	@mkdir -p $(REPORT_DIR)
	@rm -f $(REPORT_DIR)/results.json
	@# Configuration is validated once, before Ginkgo starts its processes:
	@# each would print the same problems in Ginkgo's words.
	@$(GO) build -ldflags '$(LDFLAGS)' -o bin/chatconform ./cmd/chatconform && bin/chatconform check
	procs=$(or $(PROCS),$$(bin/chatconform procs)); \
	$(GINKGO) --procs=$$procs $(COLOR) --randomize-all --keep-going --poll-progress-after=20s \
		--ldflags='$(LDFLAGS)' \
		$(GINKGO_ARGS) $(SUITE) || echo "ginkgo exited $$?: the verdict decides (chatconform status fails without results.json)"
	@bin/chatconform status $(REPORT_DIR)/results.json

test: vet ## go vet, then every test of the project with the race detector (includes the fault matrix)
	$(GO) test -race -count=1 -timeout 30m $(TEST_PKGS)

vet: ## go vet and gofmt
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { gofmt -l .; echo "gofmt: files above need formatting"; exit 1; }

selftest: ## Only the fault matrix: every fault caught by its declared assertion
	$(GO) test -count=1 -run 'TestFaultMatrix' -v ./internal/faults/

refserver: ## Run the reference server alone (prints ACS_CONNECTION_STRING=...)
	$(GO) run ./cmd/refserver $(REFSERVER_ARGS)

# Debian's python3-azure installs the Python SDKs for /usr/bin/python3 only.
PYTHON_SDK  ?= /usr/bin/python3
interop: ## The official ACS SDKs against the reference server: JavaScript (Node 20+, npm), then Python (Debian's python3-azure)
	cd interop && npm ci --no-audit --no-fund
	@# Both run whatever the first did; -E -s keep PYTHONPATH and the user's
	@# site-packages from replacing the Python SDKs under test.
	@js=0; py=0; \
	echo "node interop/run.mjs"; node interop/run.mjs || js=$$?; \
	echo "$(PYTHON_SDK) -E -s interop/python/run.py"; $(PYTHON_SDK) -E -s interop/python/run.py || py=$$?; \
	echo "interop: JavaScript exit $$js, Python exit $$py (0 passed, 1 a test failed, 2 the harness failed)"; \
	test $$js -eq 0 -a $$py -eq 0

build: ## Build the suite as a standalone binary (bin/chatconform-suite) and the tool bin/chatconform (pack, verify, screenshot)
	$(GO) test -c -ldflags '$(LDFLAGS)' -o bin/chatconform-suite $(SUITE)
	$(GO) build -ldflags '$(LDFLAGS)' -o bin/chatconform ./cmd/chatconform

certify: build ## Run the suite with its opt-in checks, no waivers or baseline; pack its reports with SHA256SUMS into $(CERT_ARCHIVE), verify the archive
	@rm -f $(addprefix $(REPORT_DIR)/,$(REPORT_FILES))
	@status=0; CHATCONFORM_CERTIFY=1 CHAT_RATE_LIMIT_TESTS=1 $(MAKE) --no-print-directory conformance || status=$$?; \
	bin/chatconform pack $(REPORT_DIR) $(CERT_ARCHIVE) && bin/chatconform verify $(CERT_ARCHIVE) || exit 1; \
	exit $$status

report-screenshot: ## Render $(REPORT_DIR)/report.html in headless Chromium: report.png and report-phone.png
	$(GO) run ./cmd/chatconform screenshot $(REPORT_DIR)/report.html $(REPORT_DIR)/report.png
	$(GO) run ./cmd/chatconform screenshot -width 390 $(REPORT_DIR)/report.html $(REPORT_DIR)/report-phone.png

bench: ## Measure the suite against its physical lower bounds; rewrites docs/performance.md (~3 min)
	$(GO) run ./cmd/bench -write docs/performance.md
