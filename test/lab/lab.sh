#!/usr/bin/env bash
# anyprobe network lab: a small anycast Internet in network namespaces.
#
#   lab.sh up | down | status | env | wait-converged [TIMEOUT_S]
#   lab.sh exec NS cmd...            (NS without the ap- prefix, e.g. vp-ber)
#   lab.sh withdraw|crash|cut POP    (POP: fra | iad | sin)
#   lab.sh restore [POP|all]
#   lab.sh ecmp-flow SPORT...        (ap-vp-ecmp: its device and PoP for the UDP flow from SPORT)
#
# See test/lab/README.md for the topology.  Every address used here exists only
# inside the lab's own namespaces (all named ap-*); nothing leaves the machine.
set -Eeuo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STATE=/run/anyprobe-lab
LOCK=/run/anyprobe-lab.lock
P=ap-                         # namespace prefix; down deletes only ap-* namespaces

ANYCAST4=198.51.100.10
ANYCAST6=2001:db8:100::10
ANYCAST_NAME=ns.anycast.example
SERVER_AS=64500
HOLD=3                        # BGP hold time (s); a silent cut is noticed after <= HOLD s
KEEPALIVE=1                   # BGP keepalive (s)

POPS=(fra iad sin)
declare -A POP_IATA=([fra]=FRA [iad]=IAD [sin]=SIN)
declare -A POP_CITY=([fra]=Frankfurt [iad]=Ashburn [sin]=Singapore)
declare -A POP_CC=([fra]=DE [iad]=US [sin]=SG)
declare -A POP_FASTLY=([fra]=cache-fra-edf1234-FRA [iad]=cache-iad-kiad7000123-IAD [sin]=cache-sin-wsss1830021-SIN)
declare -A POP_FL=([fra]=31f8 [iad]=42f110 [sin]=117f22)

VPS=(ber nyc tyo sao)
declare -A VP_HOME=([ber]=fra [nyc]=iad [tyo]=sin [sao]=iad)
# where a VP lands when its home PoP is down (BGP tie-break on the lowest
# neighbour router id: t-fra < t-iad < t-sin)
declare -A VP_FAILOVER=([ber]=iad [nyc]=fra [tyo]=fra [sao]=fra)
# IPv4 hops before the anycast address ('*' = silent access router)
declare -A VP_PATH4=(
  [ber]="198.19.1.1 198.18.11.2"
  [nyc]="198.19.2.1 198.18.12.2"
  [tyo]="* 198.19.3.1 198.18.13.2"
  [sao]="* * 198.19.5.1 198.18.12.2"
)

NODES=(t-fra t-iad t-sin e-fra e-iad e-sin s-fra s-iad s-sin a-tyo a1-sao a2-sao vp-ber vp-nyc vp-tyo vp-sao)
SILENT=(a-tyo a1-sao a2-sao)
declare -A ASN=([t-fra]=65101 [t-iad]=65102 [t-sin]=65103 [e-fra]=64511 [e-iad]=64512 [e-sin]=64513
                [s-fra]=$SERVER_AS [s-iad]=$SERVER_AS [s-sin]=$SERVER_AS)
declare -A RID=([t-fra]=198.18.255.1 [t-iad]=198.18.255.2 [t-sin]=198.18.255.3
                [e-fra]=198.18.255.11 [e-iad]=198.18.255.12 [e-sin]=198.18.255.13
                [s-fra]=198.18.255.21 [s-iad]=198.18.255.22 [s-sin]=198.18.255.23)

# Links.  NET is the first three octets of a /30: side A gets NET.1, side B NET.2;
# IPv6 2001:db8:ffff:<o2><o3>::/64 with ::1 / ::2 (198.18.1 -> 2001:db8:ffff:1801::).
# DELAY is one-way ms through the userspace delay line in namespace ap-d-<KEY>.
#  A      A-if    A PTR name                                    B       B-if    B PTR name                                      NET        DELAY KEY
LINKS=(
 "t-fra  t-iad   ae1-0.cr1.fra03.transit.example               t-iad   t-fra   be1.cr2.iad02.transit.example                   198.18.1   20 fra-iad"
 "t-fra  t-sin   ae2-0.cr1.fra03.transit.example               t-sin   t-fra   xe-0-0-1.cr1.sin01.transit.example              198.18.2   40 fra-sin"
 "t-iad  t-sin   be2.cr2.iad02.transit.example                 t-sin   t-iad   xe-0-0-2.cr1.sin01.transit.example              198.18.3   60 iad-sin"
 "t-fra  e-fra   ae10-0.cr1.fra03.transit.example              e-fra   t-fra   et-0-0-0.edge1.frankfurt1.pop.anycast.example   198.18.11  0  -"
 "t-iad  e-iad   be10.cr2.iad02.transit.example                e-iad   t-iad   et-0-0-0.edge1.ashburn1.pop.anycast.example     198.18.12  0  -"
 "t-sin  e-sin   xe-0-0-10.cr1.sin01.transit.example           e-sin   t-sin   et-0-0-0.edge1.singapore1.pop.anycast.example   198.18.13  0  -"
 "e-fra  s-fra   et-0-0-1.edge1.frankfurt1.pop.anycast.example s-fra   eth0    s1.fra.anycast.example                          198.18.21  0  -"
 "e-iad  s-iad   et-0-0-1.edge1.ashburn1.pop.anycast.example   s-iad   eth0    s1.iad.anycast.example                          198.18.22  0  -"
 "e-sin  s-sin   et-0-0-1.edge1.singapore1.pop.anycast.example s-sin   eth0    s1.sin.anycast.example                          198.18.23  0  -"
 "t-fra  vp-ber  ae20-0.cr1.fra03.transit.example              vp-ber  eth0    probe-ber.vp.example                            198.19.1   0  -"
 "t-iad  vp-nyc  be20.cr2.iad02.transit.example                vp-nyc  eth0    probe-nyc.vp.example                            198.19.2   0  -"
 "t-sin  a-tyo   xe-0-0-20.cr1.sin01.transit.example           a-tyo   t-sin   ge-0-0-0.ar1.jptyo.access.example               198.19.3   0  -"
 "a-tyo  vp-tyo  ge-0-0-1.ar1.jptyo.access.example             vp-tyo  eth0    probe-tyo.vp.example                            198.19.4   0  -"
 "t-iad  a2-sao  be30.cr2.iad02.transit.example                a2-sao  t-iad   ge-0-0-0.ar2.brsao.access.example               198.19.5   15 sao-iad"
 "a2-sao a1-sao  ge-0-0-1.ar2.brsao.access.example             a1-sao  a2-sao  ge-0-0-0.ar1.brsao.access.example               198.19.6   0  -"
 "a1-sao vp-sao  ge-0-0-1.ar1.brsao.access.example             vp-sao  eth0    probe-sao.vp.example                            198.19.7   0  -"
)
# Static routes in the kernel (hosts, servers, silent access routers):  NODE DEST VIA-NET VIA-HOST
# DEST "default" or a link NET (its /30 and /64).  Both families.
KROUTES=(
 "vp-ber default 198.19.1 1"  "vp-nyc default 198.19.2 1"  "vp-tyo default 198.19.4 1"  "vp-sao default 198.19.7 1"
 "s-fra default 198.18.21 1"  "s-iad default 198.18.22 1"  "s-sin default 198.18.23 1"
 "a-tyo default 198.19.3 1"
 "a2-sao default 198.19.5 1"  "a2-sao 198.19.7 198.19.6 2"
 "a1-sao default 198.19.6 1"
)
# Static routes in BIRD on transits (exported into BGP): customer nets behind access routers.
BROUTES=(
 "t-sin 198.19.4 198.19.3 2"
 "t-iad 198.19.6 198.19.5 2"  "t-iad 198.19.7 198.19.5 2"
)

BGP_TIMERS="hold time $HOLD; keepalive time $KEEPALIVE; connect retry time 1; connect delay time 1; error wait time 1, 2; error forget time 10;"

# ---------------------------------------------------------------- helpers
say()  { printf '%s\n' "$*"; }
warn() { printf 'lab.sh: %s\n' "$*" >&2; }
die()  {
  printf 'lab.sh: error: %s\n' "$*" >&2
  [[ ${CMD:-} == up && -d $STATE ]] && printf 'lab.sh: the lab is half up; "lab.sh down" cleans it (state: %s)\n' "$STATE" >&2
  exit 1
}

v6pfx() { local IFS=.; set -- $1; printf '2001:db8:ffff:%d%02d' "$2" "$3"; }   # 198.18.1 -> 2001:db8:ffff:1801
ns()    { printf '%s%s' "$P" "$1"; }
nsx()   { local n=$1; shift; ip netns exec "$P$n" "$@"; }
is_bgp() { case $1 in t-*|e-*|s-*) return 0;; *) return 1;; esac; }
node_dir() { printf '%s/%s%s' "$STATE" "$P" "$1"; }

need_root() { [[ $(id -u) == 0 ]] || die "must run as root (network namespaces)"; }

PY=""
find_python() {
  [[ -n $PY ]] && return 0
  command -v python3 >/dev/null || die "python3 not found in PATH"
  PY=$(python3 -c 'import sys; print(sys.executable)')   # skip the pyenv shim at run time
}

check_tools() {
  local t missing=()
  for t in ip nft bird birdc nsd nsd-checkconf nginx dig flock; do
    command -v "$t" >/dev/null || missing+=("$t")
  done
  ((${#missing[@]} == 0)) || die "missing tools: ${missing[*]} (apt-get install iproute2 nftables bird2 nsd nginx-light dnsutils util-linux)"
  find_python
}

take_lock() {
  exec 9>"$LOCK"
  flock -w 300 9 || die "another lab.sh holds $LOCK"
}

ns_exists() { [[ -e /run/netns/$P$1 ]]; }
lab_namespaces() { ip netns list 2>/dev/null | awk '{print $1}' | grep "^$P" || true; }

# alive PIDFILE EXPECTED-COMMAND-SUBSTRING
pid_alive() {
  local f=$1 want=$2 pid
  [[ -s $f ]] || return 1
  pid=$(head -n1 "$f" | tr -dc 0-9)
  [[ -n $pid && -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' </proc/"$pid"/cmdline | grep -q -- "$want"
}
pidfile_cmd() {   # which program a pid file belongs to
  case ${1##*/} in
    bird.pid) echo bird;; nsd*.pid) echo nsd;; nginx.pid) echo nginx;; delay.pid) echo delayline.py;; *) echo '?';;
  esac
}

# ---------------------------------------------------------------- addressing
declare -A ADDR4 ADDR6 IFOF PTR   # key "node|peer" -> address / ifname; key addr -> PTR name
index_links() {
  local l a aif aptr b bif bptr net delay key v6
  for l in "${LINKS[@]}"; do
    read -r a aif aptr b bif bptr net delay key <<<"$l"
    v6=$(v6pfx "$net")
    ADDR4[$a|$b]=$net.1; ADDR6[$a|$b]=$v6::1; IFOF[$a|$b]=$aif
    ADDR4[$b|$a]=$net.2; ADDR6[$b|$a]=$v6::2; IFOF[$b|$a]=$bif
    PTR[$net.1]=$aptr; PTR[$v6::1]=$aptr
    PTR[$net.2]=$bptr; PTR[$v6::2]=$bptr
  done
}
index_links

# ---------------------------------------------------------------- DNS data
# expand an IPv6 address into 32 nibbles, reversed and dotted (ip6.arpa owner)
ip6_arpa() {
  local a=$1 head tail h=() t=() g out="" i full=()
  if [[ $a == *::* ]]; then head=${a%%::*}; tail=${a##*::}; else head=$a; tail=""; fi
  [[ -n $head ]] && IFS=: read -r -a h <<<"$head"
  [[ -n $tail ]] && IFS=: read -r -a t <<<"$tail"
  full=("${h[@]}")
  for ((i = 0; i < 8 - ${#h[@]} - ${#t[@]}; i++)); do full+=(0); done
  full+=("${t[@]}")
  local hex=""
  for g in "${full[@]}"; do hex+=$(printf '%04x' "0x$g"); done
  for ((i = 31; i >= 0; i--)); do out+="${hex:i:1}."; done
  printf '%sip6.arpa.' "$out"
}
ip4_arpa() { local IFS=.; set -- $1; printf '%s.%s.%s.%s.in-addr.arpa.' "$4" "$3" "$2" "$1"; }

zone_head() {  # ZONE
  cat <<EOF
\$ORIGIN $1.
\$TTL 300
@  IN SOA ns.anycast.example. hostmaster.anycast.example. 2024010101 3600 600 86400 300
@  IN NS  ns.anycast.example.
EOF
}

REV_ZONES=(18.198.in-addr.arpa 19.198.in-addr.arpa 100.51.198.in-addr.arpa
           f.f.f.f.8.b.d.0.1.0.0.2.ip6.arpa 0.0.1.0.8.b.d.0.1.0.0.2.ip6.arpa)
FWD_ZONES=(transit.example anycast.example access.example vp.example)

gen_zones() {
  local z=$STATE/zones a name zone
  mkdir -p "$z"
  for zone in "${REV_ZONES[@]}" "${FWD_ZONES[@]}"; do zone_head "$zone" >"$z/$zone.zone"; done
  # the anycast address itself
  PTR[$ANYCAST4]=$ANYCAST_NAME; PTR[$ANYCAST6]=$ANYCAST_NAME
  for a in "${!PTR[@]}"; do
    name=${PTR[$a]}
    if [[ $a == *:* ]]; then
      case $a in 2001:db8:100:*) zone=0.0.1.0.8.b.d.0.1.0.0.2.ip6.arpa;; *) zone=f.f.f.f.8.b.d.0.1.0.0.2.ip6.arpa;; esac
      printf '%s IN PTR %s.\n' "$(ip6_arpa "$a")" "$name" >>"$z/$zone.zone"
    else
      case $a in 198.18.*) zone=18.198.in-addr.arpa;; 198.19.*) zone=19.198.in-addr.arpa;; *) zone=100.51.198.in-addr.arpa;; esac
      printf '%s IN PTR %s.\n' "$(ip4_arpa "$a")" "$name" >>"$z/$zone.zone"
    fi
    case $name in *.transit.example) zone=transit.example;; *.anycast.example) zone=anycast.example;;
                  *.access.example) zone=access.example;; *) zone=vp.example;; esac
    if [[ $a == *:* ]]; then printf '%s. IN AAAA %s\n' "$name" "$a"; else printf '%s. IN A %s\n' "$name" "$a"; fi >>"$z/$zone.zone"
  done
  printf 'www IN A %s\nwww IN AAAA %s\n' "$ANYCAST4" "$ANYCAST6" >>"$z/anycast.example.zone"
  # the service zone served by every PoP on the anycast address
  { zone_head anycast.example
    printf 'ns  IN A %s\nns  IN AAAA %s\nwww IN A %s\nwww IN AAAA %s\n' "$ANYCAST4" "$ANYCAST6" "$ANYCAST4" "$ANYCAST6"
  } >"$z/service.anycast.example.zone"
}

nsd_conf_common() {  # DIR
  cat <<EOF
  server-count: 1
  username: ""
  chroot: ""
  database: ""
  zonesdir: "$STATE/zones"
  zonelistfile: "$1/nsd-zone.list"
  xfrdfile: "$1/nsd-xfrd.state"
  xfrdir: "$1"
  pidfile: "$1/nsd.pid"
  logfile: "$1/nsd.log"
  verbosity: 1
  hide-version: yes
  reuseport: no
  tcp-count: 64
remote-control:
  control-enable: no
EOF
}

gen_nsd_vp() {  # NODE
  local d; d=$(node_dir "$1")
  { echo "server:"
    echo "  ip-address: 127.0.0.53"
    echo "  port: 53"
    echo "  do-ip6: no"
    nsd_conf_common "$d"
    local zone
    for zone in "${REV_ZONES[@]}" "${FWD_ZONES[@]}"; do
      printf 'zone:\n  name: "%s"\n  zonefile: "%s.zone"\n' "$zone" "$zone"
    done
  } >"$d/nsd.conf"
}

gen_nsd_server() {  # POP
  local pop=$1 d; d=$(node_dir "s-$pop")
  { echo "server:"
    echo "  ip-address: $ANYCAST4"
    echo "  ip-address: $ANYCAST6"
    echo "  port: 53"
    echo "  identity: \"s1.$pop.anycast.example\""
    echo "  nsid: \"ascii_$pop-s1\""
    nsd_conf_common "$d"
    printf 'zone:\n  name: "anycast.example"\n  zonefile: "service.anycast.example.zone"\n'
  } >"$d/nsd.conf"
}

gen_nginx() {  # POP
  local pop=$1 d IATA=${POP_IATA[$1]}; d=$(node_dir "s-$pop")
  mkdir -p "$d/nginx-tmp"
  cat >"$d/nginx.conf" <<EOF
user root;
daemon on;
worker_processes 1;
pid $d/nginx.pid;
error_log $d/nginx-error.log warn;
events { worker_connections 256; }
http {
  access_log $d/nginx-access.log;
  client_body_temp_path $d/nginx-tmp/body;
  proxy_temp_path $d/nginx-tmp/proxy;
  fastcgi_temp_path $d/nginx-tmp/fastcgi;
  uwsgi_temp_path $d/nginx-tmp/uwsgi;
  scgi_temp_path $d/nginx-tmp/scgi;
  server_tokens off;
  default_type text/plain;
  map \$request_id \$ap_ray { "~^(?<r>[0-9a-f]{16})" \$r; default 0123456789abcdef; }
  server {
    listen $ANYCAST4:80;
    listen [$ANYCAST6]:80;
    server_name _;
    add_header CF-RAY "\${ap_ray}-$IATA" always;
    add_header X-Served-By "${POP_FASTLY[$pop]}" always;
    add_header X-Cache "HIT" always;
    location = /cdn-cgi/trace {
      return 200 "fl=${POP_FL[$pop]}\nh=\$host\nip=\$remote_addr\nts=\$msec\nvisit_scheme=\$scheme\nuag=\$http_user_agent\ncolo=$IATA\nsliver=none\nhttp=http/1.1\nloc=${POP_CC[$pop]}\ntls=off\nsni=off\nwarp=off\ngateway=off\nrbi=off\nkex=none\n";
    }
    location / {
      return 200 "anyprobe lab anycast service\nsite: s1.$pop.anycast.example\npop: $IATA (${POP_CITY[$pop]})\n";
    }
  }
}
EOF
}

# ---------------------------------------------------------------- BIRD
gen_bird() {  # NODE
  local n=$1 d l a b peer name my4 my6 pe4 pe6 imp4 exp4 imp6 exp6 r dst vnet vh
  d=$(node_dir "$n")
  {
    echo "# generated by lab.sh for $P$n (AS ${ASN[$n]})"
    echo "router id ${RID[$n]};"
    echo "log \"$d/bird.log\" { info, warning, error, fatal };"
    echo "protocol device { scan time 10; }"
    case $n in
      s-*)
        echo "protocol static anycast4 { ipv4; route $ANYCAST4/32 unreachable; }"
        echo "protocol static anycast6 { ipv6; route $ANYCAST6/128 unreachable; }"
        ;;
      *)
        echo 'protocol direct { ipv4; ipv6; interface "-lo", "*"; }'
        echo 'protocol kernel kernel4 { ipv4 { import none; export all; }; }'
        echo 'protocol kernel kernel6 { ipv6 { import none; export all; }; }'
        ;;
    esac
    local s4="" s6=""
    for r in "${BROUTES[@]}"; do
      read -r a dst vnet vh <<<"$r"
      [[ $a == "$n" ]] || continue
      s4+=" route $dst.0/30 via $vnet.$vh;"
      s6+=" route $(v6pfx "$dst")::/64 via $(v6pfx "$vnet")::$vh;"
    done
    [[ -n $s4 ]] && echo "protocol static static4 { ipv4;$s4 }" && echo "protocol static static6 { ipv6;$s6 }"
    echo "template bgp peer { local as ${ASN[$n]}; $BGP_TIMERS graceful restart off; }"
    for l in "${LINKS[@]}"; do
      read -r a _ _ b _ _ _ _ _ <<<"$l"
      if [[ $a == "$n" ]]; then peer=$b; elif [[ $b == "$n" ]]; then peer=$a; else continue; fi
      is_bgp "$peer" || continue
      name=${peer//-/_}
      my4=${ADDR4[$n|$peer]}; my6=${ADDR6[$n|$peer]}; pe4=${ADDR4[$peer|$n]}; pe6=${ADDR6[$peer|$n]}
      imp4="import all;"; exp4="export all;"; imp6="import all;"; exp6="export all;"
      case $n in
        s-*) imp4="import none;"; exp4="export where net = $ANYCAST4/32;"
             imp6="import none;"; exp6="export where net = $ANYCAST6/128;";;
        e-*) if [[ $peer == s-* ]]; then
               imp4="import where net = $ANYCAST4/32;"; exp4="export none;"
               imp6="import where net = $ANYCAST6/128;"; exp6="export none;"
             fi;;
      esac
      echo "protocol bgp ${name}_v4 from peer { description \"$P$peer\"; local $my4 as ${ASN[$n]}; neighbor $pe4 as ${ASN[$peer]}; ipv4 { $imp4 $exp4 }; }"
      echo "protocol bgp ${name}_v6 from peer { description \"$P$peer\"; local $my6 as ${ASN[$n]}; neighbor $pe6 as ${ASN[$peer]}; ipv6 { $imp6 $exp6 }; }"
    done
  } >"$d/bird.conf"
}

start_bird() {  # NODE
  local n=$1 d; d=$(node_dir "$n")
  rm -f "$d/bird.ctl"
  if ! nsx "$n" bird -c "$d/bird.conf" -s "$d/bird.ctl" -P "$d/bird.pid" </dev/null >"$d/bird.start.log" 2>&1 9>&-; then
    cat "$d/bird.start.log" >&2
    die "bird failed to start in $P$n (config $d/bird.conf)"
  fi
}

start_nsd() {  # NODE
  local n=$1 d; d=$(node_dir "$n")
  nsd-checkconf "$d/nsd.conf" >"$d/nsd.start.log" 2>&1 || { cat "$d/nsd.start.log" >&2; die "bad NSD config $d/nsd.conf"; }
  nsx "$n" nsd -c "$d/nsd.conf" </dev/null >>"$d/nsd.start.log" 2>&1 9>&- || { cat "$d/nsd.start.log" "$d/nsd.log" >&2 2>/dev/null; die "nsd failed in $P$n"; }
}

start_nginx() {  # POP
  local n=s-$1 d; d=$(node_dir "s-$1")
  nsx "$n" nginx -q -p "$d/" -e "$d/nginx-error.log" -c "$d/nginx.conf" </dev/null >"$d/nginx.start.log" 2>&1 9>&- \
    || { cat "$d/nginx.start.log" "$d/nginx-error.log" >&2 2>/dev/null; die "nginx failed in $P$n"; }
}

wait_pidfiles() {  # waits until all given "pidfile:cmd" are alive (max 5 s)
  local i f ok
  for ((i = 0; i < 100; i++)); do
    ok=1
    for f in "$@"; do pid_alive "${f%%:*}" "${f##*:}" || { ok=0; break; }; done
    ((ok)) && return 0
    sleep 0.05
  done
  for f in "$@"; do pid_alive "${f%%:*}" "${f##*:}" || warn "not running: ${f%%:*}"; done
  return 1
}

# ---------------------------------------------------------------- build
SYSCTL_ALL=(
  net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 net.ipv6.conf.default.forwarding=1
  net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
  net.ipv4.icmp_ratelimit=0 net.ipv4.icmp_msgs_per_sec=1000000 net.ipv4.icmp_msgs_burst=1000000
  net.ipv4.icmp_errors_use_inbound_ifaddr=1 net.ipv6.icmp.ratelimit=0
  net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
  net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0
  net.ipv6.conf.all.autoconf=0 net.ipv6.conf.default.autoconf=0
  net.ipv6.conf.all.keep_addr_on_down=1
)

make_ns() {  # NODE
  local n=$1
  ip netns add "$P$n"
  ip -n "$P$n" link set dev lo up
  nsx "$n" sysctl -q -w "${SYSCTL_ALL[@]}" >/dev/null
  mkdir -p "$(node_dir "$n")"
}

make_delay_ns() {  # KEY
  local d=${P}d-$1
  ip netns add "$d"
  ip -n "$d" link set dev lo up
  ip netns exec "$d" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 >/dev/null
  mkdir -p "$STATE/$d"
}

make_link() {  # one LINKS entry
  local a aif aptr b bif bptr net delay key v6
  read -r a aif aptr b bif bptr net delay key <<<"$1"
  v6=$(v6pfx "$net")
  if [[ $key == - ]]; then
    ip link add name "$aif" netns "$P$a" type veth peer name "$bif" netns "$P$b"
  else
    local dn=${P}d-$key
    make_delay_ns "$key"
    ip link add name "$aif" netns "$P$a" type veth peer name "$a" netns "$dn"
    ip link add name "$bif" netns "$P$b" type veth peer name "$b" netns "$dn"
    # router ends must hand over finished frames (no checksum/TSO offload)
    nsx "$a" "$PY" "$LAB_DIR/delayline.py" offload-off "$aif"
    nsx "$b" "$PY" "$LAB_DIR/delayline.py" offload-off "$bif"
    ip netns exec "$dn" "$PY" "$LAB_DIR/delayline.py" offload-off "$a" "$b"
    ip -n "$dn" link set dev "$a" up
    ip -n "$dn" link set dev "$b" up
    # detached (not a job of this shell), without our lock fd
    ( ip netns exec "$dn" setsid "$PY" "$LAB_DIR/delayline.py" run --a "$a" --b "$b" --delay-ms "$delay" \
        --pidfile "$STATE/$dn/delay.pid" </dev/null >>"$STATE/$dn/delay.log" 2>&1 9>&- & )
  fi
  ip -n "$P$a" addr add "$net.1/30" dev "$aif"
  ip -n "$P$b" addr add "$net.2/30" dev "$bif"
  ip -n "$P$a" addr add "$v6::1/64" dev "$aif" nodad
  ip -n "$P$b" addr add "$v6::2/64" dev "$bif" nodad
  ip -n "$P$a" link set dev "$aif" up
  ip -n "$P$b" link set dev "$bif" up
}

make_silent() {  # NODE: forwards, but never says "time exceeded"
  nsx "$1" nft -f - <<'EOF'
table inet ap_silent {
  chain output {
    type filter hook output priority 0; policy accept;
    icmp type time-exceeded drop
    icmpv6 type time-exceeded drop
  }
}
EOF
}

build() {
  local n l r a dst vnet vh pop vp
  mkdir -p "$STATE/faults"
  for n in "${NODES[@]}"; do make_ns "$n"; done
  for l in "${LINKS[@]}"; do make_link "$l"; done
  for r in "${KROUTES[@]}"; do
    read -r n dst vnet vh <<<"$r"
    if [[ $dst == default ]]; then
      ip -n "$P$n" route add default via "$vnet.$vh"
      ip -n "$P$n" -6 route add default via "$(v6pfx "$vnet")::$vh"
    else
      ip -n "$P$n" route add "$dst.0/30" via "$vnet.$vh"
      ip -n "$P$n" -6 route add "$(v6pfx "$dst")::/64" via "$(v6pfx "$vnet")::$vh"
    fi
  done
  for n in "${SILENT[@]}"; do make_silent "$n"; done
  for pop in "${POPS[@]}"; do
    ip -n "${P}s-$pop" addr add "$ANYCAST4/32" dev lo
    ip -n "${P}s-$pop" addr add "$ANYCAST6/128" dev lo nodad
  done
  gen_zones
  for n in "${NODES[@]}"; do is_bgp "$n" && { gen_bird "$n"; start_bird "$n"; }; done
  for pop in "${POPS[@]}"; do
    gen_nsd_server "$pop"; start_nsd "s-$pop"
    gen_nginx "$pop"; start_nginx "$pop"
  done
  for vp in "${VPS[@]}"; do
    gen_nsd_vp "vp-$vp"; start_nsd "vp-$vp"
    mkdir -p "/etc/netns/${P}vp-$vp"
    echo "nameserver 127.0.0.53" >"/etc/netns/${P}vp-$vp/resolv.conf"
  done
  # every daemon must be alive (pid files written)
  local -a pids
  mapfile -t pids < <(expected_pidfiles)
  wait_pidfiles "${pids[@]}" || die "some daemons did not start (logs under $STATE)"
}

expected_pidfiles() {  # "PIDFILE:COMMAND" for every daemon of a healthy lab
  local n pop vp l key
  for n in "${NODES[@]}"; do
    if is_bgp "$n"; then echo "$(node_dir "$n")/bird.pid:bird"; fi
  done
  for pop in "${POPS[@]}"; do echo "$(node_dir "s-$pop")/nsd.pid:nsd"; echo "$(node_dir "s-$pop")/nginx.pid:nginx"; done
  for vp in "${VPS[@]}"; do echo "$(node_dir "vp-$vp")/nsd.pid:nsd"; done
  for l in "${LINKS[@]}"; do
    read -r _ _ _ _ _ _ _ _ key <<<"$l"
    if [[ $key != - ]]; then echo "$STATE/${P}d-$key/delay.pid:delayline.py"; fi
  done
}

# ---------------------------------------------------------------- probing
# which PoP answers VP over FAMILY (4|6): prints fra|iad|sin, or "-" (no answer)
vp_pop() {
  local vp=$1 fam=${2:-4} addr=$ANYCAST4 out
  [[ $fam == 6 ]] && addr=$ANYCAST6
  out=$(ip netns exec "${P}vp-$vp" dig +time=1 +tries=1 +short @"$addr" CH TXT hostname.bind 2>/dev/null) || true
  if [[ $out =~ \"s1\.([a-z]+)\.anycast\.example\" ]]; then echo "${BASH_REMATCH[1]}"; else echo -; fi
}

faulted() { [[ -e $STATE/faults/$1 ]]; }

# one round: fills RESULT[vp|fam]; returns 0 if every VP is where it should be
declare -A RESULT
check_round() {
  local vp fam tmp ok=0 want got jobs=()
  tmp=$(mktemp -d "$STATE/probe.XXXXXX")
  for vp in "${VPS[@]}"; do for fam in 4 6; do vp_pop "$vp" "$fam" >"$tmp/$vp.$fam" 9>&- & jobs+=($!); done; done
  wait "${jobs[@]}"
  for vp in "${VPS[@]}"; do
    for fam in 4 6; do
      got=$(<"$tmp/$vp.$fam"); RESULT[$vp|$fam]=$got
      want=${VP_HOME[$vp]}
      if faulted "$want"; then
        # home PoP is down: any PoP that is not faulted will do
        if [[ $got == - ]] || faulted "$got"; then ok=1; fi
      else
        [[ $got == "$want" ]] || ok=1
      fi
    done
  done
  rm -rf "$tmp"
  return $ok
}

wait_converged() {  # TIMEOUT_S [quiet]
  local timeout=${1:-30} quiet=${2:-} start now vp line
  start=$(date +%s%N)
  while true; do
    if check_round; then
      [[ -n $quiet ]] || say "converged after $(( ($(date +%s%N) - start) / 1000000 )) ms: $(summary_line)"
      return 0
    fi
    now=$(date +%s%N)
    if (( (now - start) / 1000000 >= timeout * 1000 )); then
      [[ -n $quiet ]] || warn "not converged after ${timeout}s: $(summary_line)"
      return 1
    fi
    sleep 0.2
  done
}

summary_line() {
  local vp s="" f4 f6
  for vp in "${VPS[@]}"; do
    f4=${RESULT[$vp|4]:--}; f6=${RESULT[$vp|6]:--}
    s+="$vp->${f4^^}"; [[ $f6 == "$f4" ]] || s+="(v6 ${f6^^})"; s+=" "
  done
  printf '%s' "${s% }"
}

lab_healthy() {
  local n f
  [[ -e $STATE/up.ok ]] || return 1
  for n in "${NODES[@]}"; do ns_exists "$n" || return 1; done
  while read -r f; do
    pid_alive "${f%%:*}" "${f##*:}" || return 1
  done < <(expected_pidfiles)
  compgen -G "$STATE/faults/*" >/dev/null && return 1
  wait_converged 5 quiet
}

# ---------------------------------------------------------------- ECMP vantage point
# ap-vp-ecmp: a host with two uplinks, eth0 to t-fra and eth1 to t-iad, and a Linux multipath
# route to the anycast address over both, hashing on L4 ports (net.ipv4.fib_multipath_hash_policy
# =1 in its namespace): each flow (source port) goes to FRA or to IAD, and stays there. That is
# equal-cost multipath across two PoPs for one vantage point, for `watch --flows`.
# Why a kernel multipath route in the host and not BIRD multipath: it is the case named (Linux
# hashing on L4 ports), and it changes no BGP session and no router config (BIRD would need a new
# router with sessions to both transits and `merge paths`, i.e. t-fra and t-iad reconfigured), so
# the four other vantage points and the fault tests cannot notice it; t-fra and t-iad only get one
# more connected /30 each, which their BIRD announces like any other.
# The source address is not pinned: a flow's source is the address of the link its hash picked
# (a socket connected without a source: the kernel hashes the ports with no source yet and takes
# that next hop's address), so each path's replies come back its own way, t-fra and t-iad
# announcing the /30s. Pinning one (`src` on the route) sent every flow through eth0 here: recent
# kernels (6.18 on this machine) prefer the next hop that owns the source address.
# Everything that is not the anycast address goes via t-fra.
# It is in none of NODES / LINKS / VPS: `up` adds it to a running lab without a rebuild
# (ensure_ecmp is idempotent), the other vantage points and their tests are unchanged, and `down`
# removes it with every other ap-* namespace (and /etc/netns/ap-*).
ECMP=vp-ecmp
#  ROUTER IF-ON-ROUTER  IF-IN-VP  NET        PoP behind the router
ECMP_LINKS=(
 "t-fra  ae21-0        eth0      198.19.8   fra"
 "t-iad  be21          eth1      198.19.9   iad"
)

# The multipath hash seed of ap-vp-ecmp's namespace (net.ipv4.fib_multipath_hash_seed, per netns
# since Linux 6.11): fixed, so a source port takes the same uplink on every boot and machine with
# this kernel. Left at 0 the kernel draws one seed per boot for every namespace, and a fixed set of
# ports (lab.sh status's 40000-40007) landed all on one uplink on some boots. Tests do not rely on
# it: they pick their ports from `ip route get` / `lab.sh ecmp-flow`, which works on any kernel;
# the seed makes the lab the same from run to run (this value splits 40000-40007 over both
# uplinks for UDP/53 and TCP/80 on 6.18; the kernel does not promise the same on other versions).
# Kernels without the sysctl keep their per-boot seed.
ECMP_HASH_SEED=1634630000
ECMP_SEED_SYSCTL=/proc/sys/net/ipv4/fib_multipath_hash_seed

ecmp_seed() {  # set it (idempotent: `up` on a running lab sets it too, e.g. one from before it)
  if nsx "$ECMP" test -e "$ECMP_SEED_SYSCTL"; then
    nsx "$ECMP" sysctl -q -w net.ipv4.fib_multipath_hash_seed="$ECMP_HASH_SEED" >/dev/null
  fi
}

ecmp_nexthops() {  # the "nexthop via ... dev ..." words of the multipath route
  local l r rif vif net pop out=()
  for l in "${ECMP_LINKS[@]}"; do
    read -r r rif vif net pop <<<"$l"
    out+=(nexthop via "$net.1" dev "$vif")
  done
  printf '%s\n' "${out[@]}"
}

ecmp_ok() {  # everything of the ECMP vantage point is in place
  local l r rif vif net pop route
  ns_exists "$ECMP" || return 1
  [[ $(nsx "$ECMP" sysctl -n net.ipv4.fib_multipath_hash_policy 2>/dev/null) == 1 ]] || return 1
  for l in "${ECMP_LINKS[@]}"; do
    read -r r rif vif net pop <<<"$l"
    ip -n "$P$r" -4 addr show dev "$rif" 2>/dev/null | grep -q "inet $net.1/30" || return 1
    ip -n "$P$ECMP" -4 addr show dev "$vif" 2>/dev/null | grep -q "inet $net.2/30" || return 1
  done
  route=$(ip -n "$P$ECMP" -4 route show "$ANYCAST4/32" 2>/dev/null)
  [[ $(grep -c 'nexthop via' <<<"$route") == "${#ECMP_LINKS[@]}" ]] && ! grep -q ' src ' <<<"$route"
}

ecmp_reachable() {  # the edge of every PoP behind the multipath route has routes back to both links
  local l m net pop
  for l in "${ECMP_LINKS[@]}"; do
    read -r _ _ _ _ pop <<<"$l"
    for m in "${ECMP_LINKS[@]}"; do
      read -r _ _ _ net _ <<<"$m"
      ip -n "${P}e-$pop" -4 route get "$net.2" >/dev/null 2>&1 || return 1
    done
  done
}

ensure_ecmp() {
  local l r rif vif net pop first="" i
  if ecmp_ok; then ecmp_seed; return 0; fi
  # a partial one (an interrupted up): remove it; deleting one end of a veth deletes both
  if ns_exists "$ECMP"; then ip netns del "$P$ECMP"; fi
  for l in "${ECMP_LINKS[@]}"; do
    read -r r rif vif net pop <<<"$l"
    ip -n "$P$r" link del "$rif" 2>/dev/null || true
  done
  make_ns "$ECMP"
  nsx "$ECMP" sysctl -q -w net.ipv4.fib_multipath_hash_policy=1 >/dev/null
  ecmp_seed
  for l in "${ECMP_LINKS[@]}"; do
    read -r r rif vif net pop <<<"$l"
    ip link add name "$rif" netns "$P$r" type veth peer name "$vif" netns "$P$ECMP"
    ip -n "$P$r" addr add "$net.1/30" dev "$rif"
    ip -n "$P$ECMP" addr add "$net.2/30" dev "$vif"
    ip -n "$P$r" link set dev "$rif" up
    ip -n "$P$ECMP" link set dev "$vif" up
    [[ -n $first ]] || first=$net.1
  done
  ip -n "$P$ECMP" route add default via "$first"
  # shellcheck disable=SC2046
  ip -n "$P$ECMP" route add "$ANYCAST4/32" $(ecmp_nexthops)
  # no NSD here: names resolve nowhere (and never through the machine's resolver)
  mkdir -p "/etc/netns/$P$ECMP"
  echo "nameserver 127.0.0.53" >"/etc/netns/$P$ECMP/resolv.conf"
  # replies need the routes to the two /30s, which BGP spreads from t-fra and t-iad
  for ((i = 0; i < 100; i++)); do
    ecmp_reachable && return 0
    sleep 0.1
  done
  die "the ECMP vantage point $P$ECMP is not routed back to from every PoP after 10 s"
}

# the ECMP vantage point's UDP flow to port 53 from source port SPORT: the device and source
# address the kernel picks for it (as for a socket connected without a source address), and the
# PoP (fra|iad|...) that answers dig from that address and port: prints "DEV SRC POP" ("-": unknown)
ecmp_flow() {  # SPORT
  local route dev=- src=- out pop=-
  route=$(nsx "$ECMP" ip -4 route get "$ANYCAST4" ipproto udp sport "$1" dport 53 2>/dev/null | head -n1) || true
  [[ $route =~ \ dev\ ([^ ]+) ]] && dev=${BASH_REMATCH[1]}
  [[ $route =~ \ src\ ([^ ]+) ]] && src=${BASH_REMATCH[1]}
  if [[ $src != - ]]; then
    out=$(nsx "$ECMP" dig +time=1 +tries=1 +short -b "$src#$1" @"$ANYCAST4" CH TXT hostname.bind 2>/dev/null) || true
    [[ $out =~ \"s1\.([a-z]+)\.anycast\.example\" ]] && pop=${BASH_REMATCH[1]}
  fi
  printf '%s %s %s\n' "$dev" "$src" "$pop"
}

# ---------------------------------------------------------------- down
do_down() {
  local f pid pids=() n left i
  if [[ -d $STATE ]]; then
    for f in "$STATE"/*/*.pid; do
      [[ -e $f ]] || continue
      if pid_alive "$f" "$(pidfile_cmd "$f")"; then
        pid=$(head -n1 "$f" | tr -dc 0-9); pids+=("$pid"); kill -TERM "$pid" 2>/dev/null || true
      fi
    done
    for ((i = 0; i < 60 && ${#pids[@]} > 0; i++)); do
      left=()
      for pid in "${pids[@]}"; do [[ -e /proc/$pid ]] && left+=("$pid"); done
      pids=("${left[@]}")
      ((${#pids[@]} == 0)) || sleep 0.05
    done
    for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  fi
  # anything still running inside a lab namespace (e.g. a daemon whose pid
  # file was never written because up failed half-way) keeps the namespace alive
  local stray
  for n in $(lab_namespaces); do
    stray=$(ip netns pids "$n" 2>/dev/null | tr '\n' ' ')
    if [[ -n ${stray// /} ]]; then
      warn "killing leftover processes in $n: $stray"
      # shellcheck disable=SC2086
      kill -KILL $stray 2>/dev/null || true
    fi
  done
  for n in $(lab_namespaces); do ip netns del "$n" 2>/dev/null || warn "could not delete namespace $n"; done
  for f in /etc/netns/"$P"*; do
    [[ -d $f ]] || continue
    rm -f "$f/resolv.conf"; rmdir "$f" 2>/dev/null || true
  done
  rm -rf "$STATE"
}

lab_present() { [[ -d $STATE ]] || [[ -n $(lab_namespaces) ]]; }

# ---------------------------------------------------------------- faults
check_pop() { [[ " ${POPS[*]} " == *" $1 "* ]] || die "unknown PoP '$1' (one of: ${POPS[*]})"; }
server_sock() { printf '%s/bird.ctl' "$(node_dir "s-$1")"; }
need_up() { [[ -e $STATE/up.ok ]] || die "lab is not up (run: lab.sh up)"; }
birdc_q() { birdc -s "$1" "${@:2}" >/dev/null; }

# A graceful withdrawal is a drain: the PoP still answers what reaches it while the withdrawal
# propagates. Without a route of its own the edge dropped, as net unreachable, what the transit
# still sent it in the 0-1 ms before the transit switched (a lost probe in ~1 % of the lab's
# withdrawals), so the edge keeps a fallback route to its server (metric 4000, below BIRD's 32;
# BIRD imports no kernel route, so it is never announced) until the PoP is restored.
DRAIN_METRIC=4000

drain_route() {  # add|del POP (del: a PoP never withdrawn has none; set -e must not end a restore)
  ip -n "${P}e-$2" -4 route "$1" "$ANYCAST4/32" via "${ADDR4[s-$2|e-$2]}" metric "$DRAIN_METRIC" 2>/dev/null || true
  ip -n "${P}e-$2" -6 route "$1" "$ANYCAST6/128" via "${ADDR6[s-$2|e-$2]}" metric "$DRAIN_METRIC" 2>/dev/null || true
}

fault_withdraw() {
  local pop=$1
  pid_alive "$(node_dir "s-$pop")/bird.pid" bird || die "bird on ${P}s-$pop is not running (crashed?); restore first"
  drain_route add "$pop"
  birdc_q "$(server_sock "$pop")" disable '"e_*"'
  echo withdraw >"$STATE/faults/$pop"
  say "withdraw $pop: BGP sessions ${P}s-$pop -> ${P}e-$pop disabled (graceful, routes withdrawn)"
}

fault_crash() {
  local pop=$1 f pid; f=$(node_dir "s-$pop")/bird.pid
  pid_alive "$f" bird || die "bird on ${P}s-$pop is not running"
  pid=$(head -n1 "$f" | tr -dc 0-9)
  kill -KILL "$pid"
  echo crash >"$STATE/faults/$pop"
  local i
  for ((i = 0; i < 100; i++)); do [[ -e /proc/$pid ]] || break; sleep 0.02; done   # gone when we return
  say "crash $pop: bird (pid $pid) on ${P}s-$pop killed with SIGKILL"
}

cut_rules() {  # NODE IFNAME
  nsx "$1" nft -f - <<EOF
table netdev ap_cut {
  chain ingress_$2 {
    type filter hook ingress device "$2" priority -500; policy drop;
  }
}
EOF
}

fault_cut() {
  local pop=$1
  cut_rules "e-$pop" "${IFOF[e-$pop|s-$pop]}"
  cut_rules "s-$pop" "${IFOF[s-$pop|e-$pop]}"
  echo cut >"$STATE/faults/$pop"
  say "cut $pop: ${P}e-$pop <-> ${P}s-$pop silently dropping on ingress (BGP hold ${HOLD}s)"
}

fault_restore() {
  local pop=$1 n
  drain_route del "$pop"
  for n in "e-$pop" "s-$pop"; do
    nsx "$n" nft delete table netdev ap_cut 2>/dev/null || true
  done
  if ! pid_alive "$(node_dir "s-$pop")/bird.pid" bird; then
    start_bird "s-$pop"
    wait_pidfiles "$(node_dir "s-$pop")/bird.pid:bird" || die "bird did not restart in ${P}s-$pop"
  else
    birdc_q "$(server_sock "$pop")" enable '"e_*"'
  fi
  rm -f "$STATE/faults/$pop"
}

# ---------------------------------------------------------------- status / env
cmd_status() {
  local n out vp
  if ! lab_present; then say "lab is down"; return 0; fi
  [[ -e $STATE/up.ok ]] || say "lab is NOT fully up (partial state; run lab.sh down / up)"
  say "BGP sessions:"
  for n in "${NODES[@]}"; do
    is_bgp "$n" || continue
    if ! out=$(birdc -s "$(node_dir "$n")/bird.ctl" show protocols 2>/dev/null); then
      printf '  %-9s bird not running\n' "$P$n"; continue
    fi
    printf '  %-9s %s\n' "$P$n" "$(awk '$2 == "BGP" { s = $1 "=" ($6 == "" ? $4 : $6); printf "%s ", s }' <<<"$out")"
  done
  say "faults: $(cd "$STATE/faults" 2>/dev/null && for f in *; do [[ -e $f ]] && printf '%s(%s) ' "$f" "$(<"$f")"; done; true)"
  check_round || true
  say "vantage points (v4 / v6 -> PoP answering $ANYCAST4 / $ANYCAST6):"
  local want
  for vp in "${VPS[@]}"; do
    want=${VP_HOME[$vp]^^}
    faulted "${VP_HOME[$vp]}" && want="any live PoP, $want is faulted; BGP tie-break picks ${VP_FAILOVER[$vp]^^}"
    printf '  %-10s %-15s -> %s / %s  (expected %s)\n' "${P}vp-$vp" "${ADDR4[vp-$vp|${VP_GW_NODE[$vp]}]}" \
      "${RESULT[$vp|4]^^}" "${RESULT[$vp|6]^^}" "$want"
  done
  ecmp_status
}
declare -A VP_GW_NODE=([ber]=t-fra [nyc]=t-iad [tyo]=a-tyo [sao]=a1-sao)

ecmp_status() {
  local p sport line=""
  if ! ecmp_ok; then say "ECMP vantage point $P$ECMP: missing or incomplete (lab.sh up adds it)"; return 0; fi
  for sport in 40000 40001 40002 40003 40004 40005 40006 40007; do
    read -r -a p <<<"$(ecmp_flow "$sport")"
    line+="$sport->${p[0]}/${p[2]^^} "
  done
  say "ECMP vantage point $P$ECMP (multipath to $ANYCAST4 via eth0/t-fra and eth1/t-iad, L4 hash):"
  say "  UDP source port -> device/PoP: ${line% }"
}

path6() {  # the IPv6 hops of a VP's path (same routers, same interfaces)
  local h hops out=()
  read -r -a hops <<<"${VP_PATH4[$1]}"
  for h in "${hops[@]}"; do
    if [[ $h == '*' ]]; then out+=('*'); else out+=("$(v6pfx "${h%.*}")::${h##*.}"); fi
  done
  (IFS=' '; printf '%s' "${out[*]}")
}
path_names() {
  local h hops out=()
  read -r -a hops <<<"${VP_PATH4[$1]}"
  for h in "${hops[@]}"; do
    if [[ $h == '*' ]]; then out+=('*'); else out+=("${PTR[$h]}"); fi
  done
  (IFS=' '; printf '%s' "${out[*]}")
}

cmd_env() {
  local vp pop l a b net delay key gw
  cat <<EOF
AP_LAB_SH=$LAB_DIR/lab.sh
AP_STATE_DIR=$STATE
AP_NS_PREFIX=$P
AP_ANYCAST4=$ANYCAST4
AP_ANYCAST6=$ANYCAST6
AP_ANYCAST_NAME=$ANYCAST_NAME
AP_HOLD_TIME=$HOLD
AP_KEEPALIVE_TIME=$KEEPALIVE
AP_POPS="${POPS[*]}"
AP_VPS="${VPS[*]}"
EOF
  for pop in "${POPS[@]}"; do
    cat <<EOF
AP_POP_IATA_$pop=${POP_IATA[$pop]}
AP_POP_SERVER_NS_$pop=${P}s-$pop
AP_POP_EDGE_NS_$pop=${P}e-$pop
AP_POP_IDENTITY_$pop=s1.$pop.anycast.example
AP_POP_NSID_$pop=$pop-s1
AP_POP_SERVER_ADDR4_$pop=${ADDR4[s-$pop|e-$pop]}
AP_POP_SERVER_ADDR6_$pop=${ADDR6[s-$pop|e-$pop]}
AP_POP_EDGE_ADDR4_$pop=${ADDR4[e-$pop|s-$pop]}
EOF
  done
  for vp in "${VPS[@]}"; do
    gw=${VP_GW_NODE[$vp]}
    cat <<EOF
AP_VP_NS_$vp=${P}vp-$vp
AP_VP_ADDR4_$vp=${ADDR4[vp-$vp|$gw]}
AP_VP_ADDR6_$vp=${ADDR6[vp-$vp|$gw]}
AP_VP_GW4_$vp=${ADDR4[$gw|vp-$vp]}
AP_VP_EXPECT_$vp=${POP_IATA[${VP_HOME[$vp]}]}
AP_VP_FAILOVER_$vp=${POP_IATA[${VP_FAILOVER[$vp]}]}
AP_VP_PATH4_$vp="${VP_PATH4[$vp]} $ANYCAST4"
AP_VP_PATH6_$vp="$(path6 "$vp") $ANYCAST6"
AP_VP_PATH_NAMES_$vp="$(path_names "$vp") $ANYCAST_NAME"
EOF
  done
  local keys=()
  for l in "${LINKS[@]}"; do
    read -r a _ _ b _ _ net delay key <<<"$l"
    [[ $key == - ]] && continue
    keys+=("$key")
    cat <<EOF
AP_DELAY_${key//-/_}_MS=$delay
AP_DELAY_${key//-/_}_NS=${P}d-$key
AP_DELAY_${key//-/_}_A=${P}$a
AP_DELAY_${key//-/_}_A_ADDR4=$net.1
AP_DELAY_${key//-/_}_B=${P}$b
AP_DELAY_${key//-/_}_B_ADDR4=$net.2
EOF
  done
  echo "AP_DELAY_LINKS=\"${keys[*]//-/_}\""
  local pops=() paths=() vif
  for l in "${ECMP_LINKS[@]}"; do
    read -r _ _ vif _ pop <<<"$l"
    pops+=("${POP_IATA[$pop]}"); paths+=("$vif:${POP_IATA[$pop]}")
  done
  cat <<EOF
AP_ECMP_NS=$P$ECMP
AP_ECMP_ADDRS4="$(for l in "${ECMP_LINKS[@]}"; do read -r _ _ _ net _ <<<"$l"; printf '%s.2 ' "$net"; done | sed 's/ $//')"
AP_ECMP_POPS="${pops[*]}"
AP_ECMP_PATHS="${paths[*]}"
EOF
}

# ---------------------------------------------------------------- main
usage() {
  sed -n '2,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  exit "${1:-0}"
}

on_err() {
  local rc=$? line=$1 cmd=$2
  warn "failed (exit $rc) at line $line: $cmd"
  [[ ${CMD:-} == up ]] && warn "the lab is half up; \"lab.sh down\" cleans it (state: $STATE)"
  exit "$rc"
}

main() {
  CMD=${1:-}
  [[ -n $CMD ]] || usage 2
  shift
  case $CMD in
    up)
      need_root; check_tools; take_lock
      trap 'on_err $LINENO "$BASH_COMMAND"' ERR
      if lab_healthy; then
        # a lab built before the ECMP vantage point existed gets it now, without a rebuild
        ensure_ecmp
        say "anyprobe lab: already up and healthy ($(summary_line))"
        return 0
      fi
      if lab_present; then say "anyprobe lab: found a partial or faulted lab, tearing it down first"; do_down; fi
      local t0 t1
      t0=$(date +%s%N)
      build
      wait_converged 30 quiet || die "BGP did not converge in 30 s: $(summary_line) (see 'lab.sh status', logs under $STATE)"
      ensure_ecmp
      touch "$STATE/up.ok"
      t1=$(date +%s%N)
      say "anyprobe lab up in $(( (t1 - t0) / 1000000 )) ms: $((${#NODES[@]} + 1)) hosts, 3 PoPs announcing $ANYCAST4 + $ANYCAST6, BGP hold ${HOLD}s"
      say "  $(summary_line)   (lab.sh status | env | exec vp-ber CMD | down)"
      ;;
    down)
      need_root; take_lock
      if lab_present; then do_down; say "anyprobe lab: down"; else say "anyprobe lab: already down"; fi
      ;;
    status) need_root; cmd_status ;;
    env) cmd_env ;;
    wait-converged)
      need_root; need_up
      wait_converged "${1:-30}"
      ;;
    ecmp-flow)
      need_root; need_up; [[ $# -ge 1 ]] || die "usage: lab.sh ecmp-flow SPORT..."
      ecmp_ok || die "the ECMP vantage point $P$ECMP is missing (lab.sh up adds it)"
      local sport
      for sport in "$@"; do
        [[ $sport =~ ^[0-9]+$ ]] && ((sport > 0 && sport < 65536)) || die "not a port: $sport"
        printf '%s %s\n' "$sport" "$(ecmp_flow "$sport")"
      done
      ;;
    exec)
      [[ $# -ge 2 ]] || die "usage: lab.sh exec NS cmd..."
      local n=${1#"$P"}; shift
      exec ip netns exec "$P$n" "$@"
      ;;
    withdraw|crash|cut)
      need_root; need_up; [[ $# == 1 ]] || die "usage: lab.sh $CMD POP"
      check_pop "$1"; take_lock
      faulted "$1" && die "PoP $1 already has a fault ($(<"$STATE/faults/$1")); restore it first"
      find_python
      "fault_$CMD" "$1"
      ;;
    restore)
      need_root; need_up; take_lock; find_python
      local pop targets=()
      if [[ $# == 0 || $1 == all ]]; then targets=("${POPS[@]}"); else check_pop "$1"; targets=("$1"); fi
      for pop in "${targets[@]}"; do fault_restore "$pop"; done
      say "restored: ${targets[*]} (lab.sh wait-converged waits for BGP)"
      ;;
    -h|--help|help) usage 0 ;;
    *) warn "unknown command '$CMD'"; usage 2 ;;
  esac
}

main "$@"
