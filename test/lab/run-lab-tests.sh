#!/usr/bin/env bash
# Runs the lab tests (test/lab/*.test.ts) against a fresh lab, and always tears it down.
# Needs root (network namespaces); skips cleanly otherwise.
set -uo pipefail

if [[ $(id -u) != 0 ]]; then
  echo "lab tests skipped: need root"
  exit 0
fi

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
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
