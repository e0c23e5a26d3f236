#!/usr/bin/env bash
# Whole-program benchmarks, side by side with their baselines, in one run.
# Prints Markdown for docs/BENCHMARKS.md. Data is generated once under
# bench/out (about 1.2 GB); RECORDS scales it.
set -euo pipefail
cd "$(dirname "$0")/.."
RECORDS=${RECORDS:-9000000}
go build -o bin/flowlens ./cmd/flowlens
go build -o bin/flowbench ./bench/flowbench
mkdir -p bench/out
./bin/flowbench parse -bin bin/flowlens -dir bench/out -records "$RECORDS"
./bin/flowbench oneshot -bin bin/flowlens -dir bench/out
