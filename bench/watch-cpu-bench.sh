#!/usr/bin/env bash
# The watch CPU benchmark (issue acceptance point): 10 vantage points at 20 probes per second each
# for 60 s must cost anyprobe less than 25% of one core. Runs the built CLI the way a user would:
#
#   anyprobe watch 192.0.2.1 --from netns:apb-vp0,...,apb-vp9 --method dns --interval 50ms --duration 60s --json
#
# against NSD (CH TXT hostname.bind + NSID) in a server namespace, and measures the CPU of
# anyprobe's whole process tree (the parent and its ten per-namespace children), never NSD's.
# Reference: the in-process case, `--from local` inside apb-vp0 at 200 probes per second
# (--interval 50ms --flows 10), against the same server.
#
# Measured 2026-11-23 (2 cores, shared machine, commit after 089a759): 13.3% and 14.8% of one
# core per second of probing over two runs, startup included (steady state 10.9% / 11.9%; startup
# + stop 1.56 s CPU); 16.1% with the earlier prober (a new socket per probe). Reference, in-process
# at 200 probes/s: 2.2%.
#
#   sudo bash bench/watch-cpu-bench.sh [SECONDS]      (default 60; needs root, nsd, npm run build)
#   sudo bash bench/watch-cpu-bench.sh --run CMD...   (set up, run CMD instead, tear down: profiling)
#
# Namespaces: apb-srv (NSD on 192.0.2.1, a bridge) and apb-vp0..apb-vp9 (192.0.2.10..19), each
# joined to the bridge by a veth pair. They are created here and removed on exit (trap), and they
# are connected to nothing else: every probe stays inside them. The ap- prefix belongs to the test
# lab (test/lab/lab.sh) and is never touched.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
RUN=()
if [[ ${1:-} == --run ]]; then shift; RUN=("$@"); set --; fi
SECS=${1:-60}
N=10
SRV=apb-srv
SRV_ADDR=192.0.2.1
VPS=()
for ((i = 0; i < N; i++)); do VPS+=("apb-vp$i"); done

die() { echo "watch-cpu-bench: $*" >&2; exit 1; }
[[ $(id -u) == 0 ]] || die "needs root (network namespaces)"
[[ $SECS =~ ^[0-9]+$ ]] && ((SECS >= 5)) || die "SECONDS must be a whole number >= 5"
for t in ip nsd node; do command -v "$t" >/dev/null || die "$t is missing (apt-get install iproute2 nsd; node 20)"; done
[[ -f $ROOT/dist/commands/watch.js ]] || die "build first: npm run build"

WORK=$(mktemp -d /tmp/apb-watch-bench.XXXXXX)

teardown() {
  if [[ -f $WORK/nsd.pid ]]; then kill "$(cat "$WORK/nsd.pid")" 2>/dev/null || true; fi
  local ns
  for ns in "$SRV" "${VPS[@]}"; do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
  done
}
cleanup() {
  teardown
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# leftovers of an interrupted run of this benchmark (its own apb- names only)
teardown

ip netns add "$SRV"
ip -n "$SRV" link set lo up
ip -n "$SRV" link add br0 type bridge
ip -n "$SRV" addr add "$SRV_ADDR/24" dev br0
ip -n "$SRV" link set br0 up
for ((i = 0; i < N; i++)); do
  ns=${VPS[$i]}
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  # created inside the VP namespace, the peer moved straight into the server namespace
  ip -n "$ns" link add eth0 type veth peer name "v$i" netns "$SRV"
  ip -n "$ns" addr add "192.0.2.$((10 + i))/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$SRV" link set "v$i" master br0 up
done

cat >"$WORK/nsd.conf" <<EOF
server:
  ip-address: $SRV_ADDR
  port: 53
  do-ip6: no
  server-count: 1
  username: ""
  chroot: ""
  database: ""
  zonelistfile: "$WORK/nsd-zone.list"
  xfrdfile: "$WORK/nsd-xfrd.state"
  xfrdir: "$WORK"
  pidfile: "$WORK/nsd.pid"
  logfile: "$WORK/nsd.log"
  verbosity: 0
  identity: "s1.fra.anycast.example"
  nsid: "ascii_fra-s1"
  hide-version: yes
  reuseport: no
  # response rate limiting would drop answers to 200 queries/s from one /24: that is not anyprobe's loss
  rrl-ratelimit: 0
remote-control:
  control-enable: no
EOF
ip netns exec "$SRV" nsd -c "$WORK/nsd.conf" </dev/null >"$WORK/nsd.start.log" 2>&1 || { cat "$WORK/nsd.start.log" "$WORK/nsd.log" >&2; die "nsd did not start"; }
for ((t = 0; t < 50; t++)); do
  [[ -s $WORK/nsd.pid ]] && kill -0 "$(cat "$WORK/nsd.pid")" 2>/dev/null && break
  sleep 0.1
done
# every VP must reach the server before anything is measured
for ns in "${VPS[@]}"; do
  ok=0
  for ((t = 0; t < 30; t++)); do
    if ip netns exec "$ns" node "$ROOT/bin/run.js" dns "$SRV_ADDR" --timeout 500ms --json >/dev/null 2>&1; then ok=1; break; fi
    sleep 0.2
  done
  ((ok)) || die "$ns does not reach NSD on $SRV_ADDR"
done

if ((${#RUN[@]} > 0)); then
  "${RUN[@]}"
  exit
fi

FROM="netns:$(IFS=,; echo "${VPS[*]}")"
node "$HERE/watch-cpu-bench.mjs" --work "$WORK" --seconds "$SECS" --server-ns "$SRV" \
  --case "netns: $N vantage points x 20 probes/s" -- \
  node "$ROOT/bin/run.js" watch "$SRV_ADDR" --from "$FROM" --method dns --interval 50ms --duration "${SECS}s" --json
node "$HERE/watch-cpu-bench.mjs" --work "$WORK" --seconds "$SECS" --server-ns "$SRV" \
  --case "local (in-process, in ${VPS[0]}): 1 vantage point x 200 probes/s (50ms x 10 flows)" -- \
  ip netns exec "${VPS[0]}" node "$ROOT/bin/run.js" watch "$SRV_ADDR" --from local --method dns --interval 50ms --flows 10 --duration "${SECS}s" --json
