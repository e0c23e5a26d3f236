# flowlens: one binary for AWS VPC Flow Logs.
# `make demo` runs the main job on generated data; `make test` runs every test.

GO        ?= go
BIN       := bin/flowlens
PKGS      := ./...
DEMO_DIR  ?= demo-data
FUZZTIME  ?= 20s
export CGO_ENABLED := 1

.PHONY: all build demo test test-short lint vet fmt bench fuzz clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/flowlens

# Generates a realistic demo data set (S3 layout, gzip objects with header
# lines), reads it, stores it and shows the main results.
demo: build
	@rm -rf $(DEMO_DIR)
	$(BIN) generate --seed 42 --duration 6h --records 500000 --layout s3 --out $(DEMO_DIR)/logs
	$(BIN) stats $(DEMO_DIR)/logs
	$(BIN) ingest --data $(DEMO_DIR)/store $(DEMO_DIR)/logs
	$(BIN) summary --data $(DEMO_DIR)/store
	@echo
	@echo "Next: $(BIN) top pair --data $(DEMO_DIR)/store   |   $(BIN) report --list   |   $(BIN) graph --data $(DEMO_DIR)/store -o dot"
	@echo "API:  $(BIN) serve --data $(DEMO_DIR)/store   (then curl http://127.0.0.1:8080/api/v1/summary)"

lint: vet
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

# Every test, with the race detector. Conformance tests read ../shared.
test: lint
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
	rm -rf bin $(DEMO_DIR) test-artifacts
