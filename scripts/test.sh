#!/usr/bin/env bash
# The test command: installs what is needed, builds, type-checks everything (tests too: tsx runs
# them unchecked), runs the unit tests (no network but loopback: unshare -n) and the lab
# tests (root: network namespaces, BIRD, NSD, nginx). Exits non-zero when any test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
status=0
npm run --silent typecheck || status=$?
# unit tests in a network namespace of their own with only loopback (up, checked), so a test that
# reached for any other address fails here rather than touching a network; non-root: a user namespace
userns=""
[ "$(id -u)" = 0 ] || userns="-r"
unshare $userns -n -- sh -c 'ip link set lo up && ip -o link show lo | grep -q "UP" && npm run --silent test:unit' || status=$?
npm run --silent test:lab || status=$?
exit $status
