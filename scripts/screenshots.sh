#!/usr/bin/env bash
# Makes the README screenshots (docs/img/catchment-map.png, docs/img/failover-timeline.png) from the
# lab: needs root and a build (npm run build). Holds the lab-run lock (test/lab/labrun-lock.sh) for
# the whole run, brings the lab up, always down.
set -euo pipefail
self=$(realpath "$0") # before the cd: the lock re-runs this script by its path
cd "$(dirname "$0")/.."
source test/lab/labrun-lock.sh
labrun_lock "$self" "$@"
trap 'bash test/lab/lab.sh down >/dev/null 2>&1' EXIT
bash test/lab/lab.sh up >/dev/null
node --import tsx scripts/screenshots.ts
