#!/usr/bin/env bash
# Runs the lab tests (test/lab/*.test.ts) against a fresh lab, and always tears it down.
# Needs root (network namespaces); skips cleanly otherwise.
# Holds the lab-run lock (/tmp/anyprobe-labrun.lock, see labrun-lock.sh) for the whole run, so a
# second run (CI, screenshots, a hand-typed one) waits instead of cutting PoPs in this one's lab.
# Callers that already hold it need not do anything: under `flock /tmp/anyprobe-labrun.lock ...`
# (found in /proc/locks) or with ANYPROBE_LABRUN_LOCKED=1 it runs at once.
set -uo pipefail

if [[ $(id -u) != 0 ]]; then
  echo "lab tests skipped: need root"
  exit 0
fi

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=test/lab/labrun-lock.sh
source "$HERE/labrun-lock.sh"
labrun_lock "${BASH_SOURCE[0]}" "$@"
ROOT=$(cd "$HERE/../.." && pwd)
LAB="$HERE/lab.sh"

cleanup() { bash "$LAB" down || echo "run-lab-tests: lab.sh down failed" >&2; }
trap cleanup EXIT
trap 'exit 130' INT TERM

if ! bash "$LAB" up; then
  echo "run-lab-tests: lab.sh up failed" >&2
  exit 1
fi

cd "$ROOT" || exit 1
shopt -s nullglob
files=(test/lab/*.test.ts)
if ((${#files[@]} == 0)); then
  echo "run-lab-tests: no test/lab/*.test.ts" >&2
  exit 1
fi
# one file at a time: fault tests move traffic between PoPs, other files must not see that
node --import tsx --test --test-concurrency=1 --test-reporter=spec "${files[@]}"
status=$?
exit "$status"
