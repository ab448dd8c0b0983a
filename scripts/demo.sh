#!/usr/bin/env bash
# The demo: build anyprobe, bring up the built-in anycast lab (3 PoPs, 4 vantage points, real
# BGP/DNS/HTTP in network namespaces), and do the main job: the catchment (which vantage point
# lands on which PoP) by DNS identity and by traceroute, one trace in detail, the identity probes,
# then `anyprobe watch` while a PoP is withdrawn and restored (the shifts, with their timing).
# Needs root (network namespaces, raw sockets). Tears the lab down on exit.
# Holds the lab-run lock (test/lab/labrun-lock.sh) throughout: it withdraws a PoP and takes the lab
# down at the end, which would break a lab test run (CI, run-lab-tests.sh) using the same lab.
set -euo pipefail
self=$(realpath "$0") # before the cd: the lock re-runs this script by its path
cd "$(dirname "$0")/.."
source test/lab/labrun-lock.sh
labrun_lock "$self" "$@"
bash scripts/setup.sh
LAB=test/lab/lab.sh
trap 'bash $LAB down >/dev/null' EXIT
bash $LAB up
bash $LAB wait-converged 30 >/dev/null

ap() { local vp=$1; shift; echo; echo "### [$vp] anyprobe $*"; ip netns exec "ap-vp-$vp" node bin/run.js "$@" || true; }

VPS=netns:ap-vp-ber,ap-vp-nyc,ap-vp-tyo,ap-vp-sao
run() { echo; echo "### anyprobe $*"; node bin/run.js "$@" || true; }

OUT=$(mktemp -d /tmp/anyprobe-demo.XXXXXX)
run catchment 198.51.100.10 --from $VPS --method dns --locations test/lab/vp-locations.txt --html "$OUT/catchment.html"
run catchment 198.51.100.10 --from $VPS --method trace
ap sao trace 198.51.100.10
ap tyo dns 198.51.100.10
ap sao http http://198.51.100.10/
# is it anycast, and where are its sites: latency discs around the vantage points (placed in the
# cities they are named after), fused with what each site says of itself (CHAOS identity). The
# lab's links are far shorter than the real distances between those cities, so `sites` reports
# each verdict it cannot reconcile with the latency as a contradiction, as it should.
echo; echo "### (the lab's delays are not real geography: expect contradictions below)"
run sites 198.51.100.10 --from $VPS --method dns --locations test/lab/vp-locations.txt

# the watch starts probing as soon as each netns child is up; the withdrawal comes ~5 s in
echo; echo "### watching while the FRA PoP is withdrawn (birdc disable) and then restored"
( sleep 5; bash $LAB withdraw fra >/dev/null; sleep 4; bash $LAB restore fra >/dev/null ) &
run watch 198.51.100.10 --from $VPS --method dns --interval 200ms --duration 12s --html "$OUT/timeline.html"
wait
echo; echo "### pictures (open offline in a browser): $OUT/catchment.html $OUT/timeline.html"
