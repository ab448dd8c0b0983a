// Tokens that are not places: interface names, router roles, infrastructure words, service words.
// A hostname token in this set never yields a code reading (it can still join a spelled city name).

export const IFACE_WORDS = [
  'ae', 'xe', 'et', 'ge', 'be', 'hu', 'te', 'gi', 'fe', 'po', 'pos', 'so', 'lo', 'eth', 'gig', 'gige', 'tengig',
  'tengige', 'fortygige', 'hundredgige', 'gigabitethernet', 'tengigabitethernet', 'bundle', 'ether', 'vlan', 'vl',
  'irb', 'bvi', 'tun', 'tunnel', 'loopback', 'port', 'lag', 'if', 'ifc', 'int', 'iface', 'mgmt', 'null', 'dialer',
  'serial', 'atm', 'mpls', 'sub', 'subif', 'unit', 'vrf', 'lacp', 'pc', 'eth', 'ten', 'hun', 'fpc', 'pic',
]

const ROLES = [
  'cr', 'ccr', 'rcr', 'ar', 'br', 'er', 'cs', 'gw', 'pr', 'pe', 'mx', 'mpd', 'mpr', 'bdr', 'bbr', 'ebr', 'car', 'agg',
  'aggr', 'dist', 'core', 'tcore', 'ecore', 'lcore', 'edge', 'border', 'peer', 'peering', 'rtr', 'router', 'switch',
  'sw', 'fw', 'lb', 'lcr', 'sur', 'icr', 'dcr', 'acr', 'scr', 'csr', 'asr', 'bsr', 'cpe', 'ptp', 'link', 'ic', 'ix',
  'ixp', 'pop', 'dc', 'site', 'node', 'host', 'server', 'srv', 'cache', 'bb', 'bbone', 'backbone', 'gin', 'static',
  'customer', 'cust', 'client', 'clients', 'transit', 'access', 'dsl', 'cable', 'fiber', 'fibre', 'broadband',
  'ip', 'ipv', 'net', 'network', 'ntwk', 'atlas', 'tbone', 'ibone', 'dynamic', 'dyn', 'pool', 'rev', 'reverse',
  'addr', 'arpa', 'anycast', 'unicast', 'crs', 'ncs', 'ptx', 'qfx', 'mlx', 'nni', 'uni', 'oob', 'bgp', 'msr', 'rr',
  'vpn', 'lan', 'wan', 'dmz', 'mgt', 'oam', 'noc', 'lab', 'test', 'prod', 'dev', 'stage', 'infra', 'infrastructure',
  'tor', 'spine', 'leaf', 'fabric', 'uplink', 'downlink', 'xconnect', 'interconnect', 'ge', 'sr', 'rc', 'rs', 'ce',
  'level', 'zip', 'gni', 'ecs', 'vip', 'nat', 'cgn', 'cgnat', 'bras', 'bng', 'olt', 'dslam', 'mse', 'ppp', 'pppoe',
  'xcr', 'inet', 'unn', 'dhcp', 'adsl', 'vdsl', 'ftth', 'fttx', 'gpon', 'hsi', 'user', 'users', 'dialup', 'wireless',
  'mobile', 'lte', 'hostname', 'deploy', 'ptr', 'rdns', 'rtsw', 'gar', 'ec', 'ear', 'bar',
  // "metro" is a network (metro Ethernet; Level3's "lag-101.ear1.Metro2.Level3.net"), not Metro, Indonesia;
  // "agr" an aggregation router (Cogent "agr11.fra05", IIJ "osk008agr02", OCN "agr01.tky6"), not Agra;
  // "man" a metropolitan area network (Poland's "man.poznan.pl", "man.lodz.pl"), so only a site-code
  // shape ("man01") is Manchester; "cor" a core router ("cor1"), not Córdoba, Argentina
  'metro', 'agr', 'man', 'cor',
  // server words in hosting names ("mon1" monitoring, "xen3" a hypervisor, "nas2" storage or a
  // network access server): Mount Cook, Xingcheng and Nassau only as a site code in the site position
  'mon', 'xen', 'nas', 'vps', 'ded',
  // the local network's own boxes: "_gateway" is the name nss-myhostname(8) / systemd-resolved give
  // the default gateway (and a trace's first hop then reads "_gateway"), "gateway", "router" and
  // "modem" what home routers and hosts files call it: a role, not Gateway, Florida
  'gateway', 'modem',
  // access pools: Deutsche Telekom's customer lines are "p{address in hex}.dip0.t-ipconnect.de"
  // (dial-in pool), Vodafone Germany's "ip-081-210-178-029.um21.pools.vodafone-ip.de" (public
  // traceroutes): the pool is no site code
  'dip', 'pools',
]

const SERVICE = [
  'dns', 'ns', 'rdns', 'resolver', 'recursive', 'recursor', 'auth', 'www', 'mail', 'smtp', 'imap', 'pop3',
  'web', 'api', 'cdn', 'root', 'servers', 'eroot', 'groot', 'kroot', 'nsid', 'id', 'hostname', 'bind', 'version',
  'com', 'org', 'edu', 'gov', 'mil', 'info', 'biz', 'example', 'invalid', 'local', 'localhost', 'localdomain',
  'the', 'and', 'for', 'on', 'of', 'from', 'with', 'not', 'all', 'any', 'are', 'our', 'out', 'new', 'old', 'one', 'two', 'via',
  'hit', 'miss', 'expired', 'stale', 'cached', 'pass', 'tcp', 'udp', 'http', 'https', 'tls', 'ssl', 'ref', 'request',
  'response', 'error', 'ok', 'true', 'false', 'none', 'unknown', 'default', 'primary', 'secondary', 'backup',
  'cloud', 'cloudflare', 'fastly', 'akamai', 'google', 'amazon', 'microsoft', 'azure', 'aws', 'ntt', 'cogent',
  'telia', 'arelion', 'zayo', 'gtt', 'tata', 'comcast', 'verizon', 'lumen', 'centurylink', 'sprint', 'att', 'hurricane',
  'orange', 'central', 'north', 'south', 'east', 'west', 'northeast', 'northwest', 'southeast', 'southwest', 'region',
  'zone', 'compute', 'amazonaws', 'cloudfront', 'googleusercontent', 'internal',
]

/** Interface names: a first label starting with one is the interface (and role) label. */
export const IFACE: ReadonlySet<string> = new Set(IFACE_WORDS)

/** Non-place tokens (lower case). `mil` is left out on purpose: it is the IATA metro code of Milan. */
export const STOP: ReadonlySet<string> = new Set([...IFACE_WORDS, ...ROLES, ...SERVICE].filter((w) => w !== 'mil'))

/** Tokens that begin multi-word city names; alone they are not codes when the join is a city. */
export const CITY_PREFIXES: ReadonlySet<string> = new Set([
  'new', 'san', 'santa', 'santo', 'sao', 'los', 'las', 'st', 'saint', 'sankt', 'port', 'fort', 'ft', 'mount', 'mt', 'el',
  'la', 'le', 'de', 'di', 'du', 'rio', 'kuala', 'hong', 'tel', 'buenos', 'mexico', 'salt', 'lake', 'kansas', 'palo',
  'ho', 'chi', 'minh', 'abu', 'ad', 'al', 'cape', 'den', 'the', 'north', 'south', 'east', 'west', 'great', 'white',
])

/**
 * Non-place words that are never read as codes, even where an airport has the code: they fill
 * whole labels of ordinary names ("u4.sub", "pop.example.net").
 */
export const HARD_STOP: ReadonlySet<string> = new Set([
  'sub', 'pop', 'the', 'for', 'gov', 'tcp', 'uni', 'ppp', 'unn', 'oam', 'bvi', 'com', 'net', 'org', 'www',
  // a virtual private / dedicated server ("vps123.example-hosting.com", "ded4567..."): not Destin, FL or Dehradun
  'vps', 'ded',
])
