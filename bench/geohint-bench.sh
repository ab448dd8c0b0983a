#!/usr/bin/env bash
# Geohint throughput: 100,000 synthetic router hostnames through the engine and the built CLI.
#   bash bench/geohint-bench.sh [count]     (run `npm run build` first for the CLI figure)
set -euo pipefail
cd "$(dirname "$0")/.."
exec node --import tsx bench/geohint-bench.ts "${1:-100000}"
