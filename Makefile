# flowlens: one binary for AWS VPC Flow Logs.
# `make demo` runs the main job on generated data; `make test` runs every test.

GO        ?= go
BIN       := bin/flowlens
PKGS      := ./...
DEMO_DIR  ?= demo-data
FUZZTIME  ?= 20s
export CGO_ENABLED := 1

# The web UI (web/, built with npm into internal/webui/dist and embedded
# with go:embed). Rebuilt when a source file or the lock file changes.
NPM       ?= npm
UI_OUT    := internal/webui/dist/app/index.html
UI_DEPS   := web/node_modules/.package-lock.json
UI_SRC    := $(shell find web -path web/node_modules -prune -o -type f -print 2>/dev/null)

.PHONY: all build ui ui-test demo test test-short lint vet fmt bench fuzz clean

all: build

build: ui
	$(GO) build -o $(BIN) ./cmd/flowlens

ui: $(UI_OUT)

$(UI_DEPS): web/package.json web/package-lock.json
	@command -v $(NPM) >/dev/null || { echo "npm is needed to build the web UI (Debian: apt-get install nodejs npm)"; exit 1; }
	cd web && $(NPM) ci --no-audit --no-fund
	@touch $@

$(UI_OUT): $(UI_DEPS) $(UI_SRC)
	cd web && $(NPM) run build
	@touch $@

ui-test: $(UI_DEPS)
	cd web && $(NPM) test

# Generates a realistic demo data set (S3 layout, gzip objects with header
# lines, a version 5 format), reads it, stores it and shows the main
# results; `flowlens demo --serve` then opens the web UI on it.
demo: build
	$(BIN) demo --fresh --dir $(DEMO_DIR)
	@echo
	@echo "Web UI: $(BIN) demo --serve --dir $(DEMO_DIR)   then open http://127.0.0.1:8080/"

lint: vet
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

# Every test, with the race detector. Conformance tests read ../shared; the
# browser tests (internal/webui) drive Debian's chromium over the built UI
# and save screenshots under test-artifacts/.
test: lint ui ui-test
	$(GO) test -race -count=1 -timeout 15m $(PKGS)

test-short:
	$(GO) test -count=1 $(PKGS)

bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 1 ./internal/...
	./bench/run.sh

# Time-boxed fuzzing of every parser (FUZZTIME per target).
fuzz:
	@for t in $$(grep -rhoE '^func (Fuzz[A-Za-z0-9_]+)' --include='*_test.go' internal | sed 's/func //'); do \
		pkg=$$(grep -rlE "^func $$t\(" --include='*_test.go' internal | head -1 | xargs dirname); \
		echo "== $$t ($$pkg)"; \
		$(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) ./$$pkg || exit 1; \
	done

clean:
	rm -rf bin $(DEMO_DIR) test-artifacts internal/webui/dist/app internal/webui/dist/standalone web/node_modules
