#!/usr/bin/env bash
# The test command: installs what is needed, builds, type-checks everything (tests too: tsx runs
# them unchecked), runs the unit tests (no root) and the lab
# tests (root: network namespaces, BIRD, NSD, nginx). Exits non-zero when any test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
status=0
npm run --silent typecheck || status=$?
npm run --silent test:unit || status=$?
npm run --silent test:lab || status=$?
exit $status
