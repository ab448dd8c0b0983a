#!/usr/bin/env bash
# Install what anyprobe and its lab need on a fresh Debian machine (as root), then build.
# Idempotent: packages already present are not reinstalled; npm ci runs only when needed.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PKGS=(bird2 nsd nginx-light nftables iproute2 iputils-ping dnsutils python3 procps
          traceroute mtr-tiny scamper tcpdump openssh-server openssh-client
          chromium bzip2)

missing=()
for p in "${APT_PKGS[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]} > 0)); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup: need root to install: ${missing[*]}" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # policy-rc.d 101: do not start the system copies of nsd/nginx/ssh; the lab runs its own
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  rm -f /usr/sbin/policy-rc.d
fi

# geolite2's postinstall downloads databases (it fails offline) and the bundled copies suffice;
# @neuralegion/raw-socket ships prebuilt binaries, so no install script is needed at all.
# Whether to install is decided on content, not mtimes (scripts/node-modules-current.mjs): a fresh
# clone's package-lock.json is newer than any node_modules, even one it shares through a symlink.
if [[ ! -d node_modules/@oclif/core ]] || ! node scripts/node-modules-current.mjs .; then
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
  node scripts/node-modules-current.mjs --record .
fi
npm run build --silent
