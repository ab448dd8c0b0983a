#!/usr/bin/env bash
# The demo: build anyprobe, bring up the built-in anycast lab (3 PoPs, 4 vantage points, real
# BGP/DNS/HTTP in network namespaces), and ask from every vantage point which PoP answers it:
# by traceroute, by DNS identity and by HTTP headers. Then withdraw one PoP and ask again.
# Needs root (network namespaces, raw sockets). Tears the lab down on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
LAB=test/lab/lab.sh
trap 'bash $LAB down >/dev/null' EXIT
bash $LAB up
bash $LAB wait-converged 30 >/dev/null

ap() { local vp=$1; shift; echo; echo "### [$vp] anyprobe $*"; ip netns exec "ap-vp-$vp" node bin/run.js "$@" || true; }

for vp in ber nyc tyo sao; do
  ap $vp trace 198.51.100.10
done
ap tyo dns 198.51.100.10
ap sao http http://198.51.100.10/

echo; echo "### withdrawing the FRA PoP (birdc disable on its server)"
bash $LAB withdraw fra >/dev/null
bash $LAB wait-converged 30 >/dev/null
ap ber trace 198.51.100.10
ap ber dns 198.51.100.10
bash $LAB restore fra >/dev/null
