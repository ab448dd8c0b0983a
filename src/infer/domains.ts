// Where the operator's own part of a hostname starts (public suffix + registrable label) and the
// per-operator naming conventions, as data keyed by registrable domain.
import type {Place} from '../geo/airports.js'

/** Multi-label public suffixes seen in router names (a small slice of the Public Suffix List). */
const MULTI_SUFFIXES = new Set([
  'co.uk', 'org.uk', 'net.uk', 'ac.uk', 'ltd.uk', 'plc.uk', 'net.au', 'com.au', 'org.au', 'edu.au', 'co.jp', 'ne.jp',
  'ad.jp', 'or.jp', 'ac.jp', 'gr.jp', 'com.br', 'net.br', 'co.nz', 'net.nz', 'co.za', 'net.za', 'com.cn', 'net.cn',
  'com.hk', 'net.hk', 'com.sg', 'net.sg', 'com.tw', 'net.tw', 'co.kr', 'ne.kr', 'or.kr', 'com.mx', 'net.mx', 'com.ar',
  'net.ar', 'co.in', 'net.in', 'co.il', 'net.il', 'com.tr', 'net.tr', 'co.id', 'net.id', 'com.my', 'net.my', 'com.ph',
  'net.ph', 'com.vn', 'net.vn', 'co.th', 'net.th', 'com.pl', 'net.pl', 'com.ru', 'net.ru', 'com.ua', 'net.ua',
  'com.co', 'net.co', 'com.pe', 'net.pe', 'com.ve', 'com.ec', 'com.uy', 'com.py', 'com.bo', 'com.sa', 'net.sa',
  'com.eg', 'com.pk', 'net.pk', 'com.bd', 'net.bd', 'com.np', 'com.lk', 'co.ke', 'co.tz', 'co.ug', 'com.ng',
])

/** Generic TLDs; every 2-letter label is also taken as a ccTLD. `example`, `test`, ... are the lab's. */
const GENERIC_TLDS = new Set([
  'com', 'net', 'org', 'edu', 'gov', 'mil', 'int', 'info', 'biz', 'io', 'arpa', 'example', 'test', 'invalid',
  'local', 'localhost', 'internal', 'lan', 'home', 'corp', 'cloud', 'network', 'systems', 'tech', 'online', 'site',
  'dev', 'app', 'services', 'digital', 'global', 'goog', 'zone', 'host', 'xyz', 'eu', 'asia', 'name', 'pro', 'tel',
])

export interface DomainSplit {
  /** the labels left of the registrable domain, in order (original case) */
  host: string[]
  /** registrable domain, lower case ("cogentco.com"), or null when the name has no known TLD */
  domain: string | null
  /** registrable label, lower case ("cogentco") */
  registrable: string | null
}

export function splitDomain(labels: string[]): DomainSplit {
  const n = labels.length
  if (n < 2) return {host: labels, domain: null, registrable: null}
  const last = labels[n - 1]!.toLowerCase()
  if (!(GENERIC_TLDS.has(last) || (last.length === 2 && /^[a-z]{2}$/.test(last)))) {
    return {host: labels, domain: null, registrable: null}
  }
  let suffixLen = 1
  if (n >= 3 && MULTI_SUFFIXES.has(`${labels[n - 2]!.toLowerCase()}.${last}`)) suffixLen = 2
  const regIdx = n - suffixLen - 1
  if (regIdx < 0) return {host: labels, domain: null, registrable: null}
  const registrable = labels[regIdx]!.toLowerCase()
  return {
    host: labels.slice(0, regIdx),
    domain: labels.slice(regIdx).join('.').toLowerCase(),
    registrable,
  }
}

/** How an operator reads its site codes. */
export type OperatorCodes =
  | 'generic' // IATA / LOCODE / CLLI / spelled city, by the general rules
  | 'operator' // private mnemonics: code seen, place unknown unless listed in `known`
  | 'clli' // only CLLI-style codes (and spelled cities) carry a place; other codes are private

export interface OperatorRule {
  /** registrable domain, lower case */
  domain: string
  name: string
  codes: OperatorCodes
  /** regex over the lower-cased host part (labels left of the domain) with a named group `site` */
  site?: RegExp
  /** operator codes whose place a public source states, e.g. CAIDA on he.net's `ash` */
  known?: Record<string, Place & {source: string}>
  /**
   * `site`: the listed codes hold only in the position `site` matches (Microsoft's abbreviations
   * are documented for its current names; a "co1" in an older shape is not read by them)
   */
  knownOnly?: 'site'
  /** the operator's network is national: readings elsewhere are unlikely */
  country?: string
  /**
   * where a global operator is registered and mostly built: it only breaks a tie between
   * same-named places (Santa Clara, California over Santa Clara, Cuba); unlike `country`, readings
   * elsewhere keep their weight, and the RTT bound still drops the one too far away
   */
  home?: string
}

/** Arelion's site position: "ffm-bb2-link", "sjo-b21-v6" (IPv6), "ntt-ic-337606-sea-b2", "cloudflare-ic328260-dls-b23". */
const ARELION_SITE = /(?:^|\.)(?:[a-z0-9]+-ic-?\d+-)?(?<site>[a-z]{2,5})\d*-b+\d+[a-z]?(?:-(?:[a-z]+|v6))?\./

const ASHBURN: Place = {city: 'Ashburn', country: 'US', region: 'VA', lat: 39.0438, lon: -77.4874}

/** Per-operator conventions. Keep entries justified by a public naming convention, not by test names. */
export const OPERATORS: readonly OperatorRule[] = [
  {
    domain: 'he.net',
    name: 'Hurricane Electric',
    codes: 'generic',
    known: {
      // CAIDA Hoiho blog (2023-02-13): he.net labels Ashburn, VA routers `ash` (IATA ASH is Nashua, NH)
      ash: {...ASHBURN, source: 'CAIDA Hoiho: he.net uses ash for Ashburn, VA'},
      // he.net's own PoP names: fmt = Fremont (its FMT1/FMT2 data centres), pao = Palo Alto, tor = Toronto
      fmt: {city: 'Fremont', country: 'US', region: 'CA', lat: 37.5485, lon: -121.9886, source: 'he.net PoP naming: fmt = Fremont, CA'},
      pao: {city: 'Palo Alto', country: 'US', region: 'CA', lat: 37.4419, lon: -122.143, source: 'he.net PoP naming: pao = Palo Alto, CA'},
      tor: {city: 'Toronto', country: 'CA', region: '08', lat: 43.6532, lon: -79.3832, source: 'he.net PoP naming: tor = Toronto'},
    },
  },
  {
    domain: 'seabone.net',
    name: 'Telecom Italia Sparkle',
    codes: 'generic',
    known: {ash: {...ASHBURN, source: 'CAIDA Hoiho: seabone.net uses ash for Ashburn, VA'}},
  },
  // Arelion (AS1299): {site}-{b|bb}{n}-link.ip.twelve99.net, older .telia.net; interconnects
  // {peer}-ic-{id}-{site}-{router}.c.telia.net and, on the customer side of the link,
  // {peer}-ic{id}-{site}-{router}.ip.twelve99-cust.net (the dash after "ic" is optional there:
  // "cloudflare-ic328260-dls-b23", "verizon-ic-315152-ash-b1" in public traceroutes). The site
  // mnemonics are Arelion's own ("sjo", "dls", "kbn"): read as IATA they name the wrong city
  // (SJO is San José, Costa Rica; DLS is Dallesport), so they stay operator codes.
  ...['twelve99.net', 'telia.net', 'twelve99-cust.net'].map(
    (domain): OperatorRule => ({domain, name: domain === 'telia.net' ? 'Arelion (Telia)' : 'Arelion', codes: 'operator', site: ARELION_SITE}),
  ),
  {
    // Vodafone's global network (ex Cable & Wireless, AS1273): {iface}-{role}{n}.{site}.cw.net,
    // the site a 3-letter mnemonic of its own. In public traceroutes "ae32-100-pcr1.fnt.cw.net"
    // and "telia-gw.fnt.cw.net" hand over to Arelion's Frankfurt (ffm-bb1-link) from German
    // customers, "ae34-xcr1.mrx.cw.net" sits between "sng" and "prp" on a path to Europe: read as
    // IATA they named Flint, US 0.8 and Mahshahr, IR 0.8. The mnemonics stay operator codes;
    // spelled cities of its older names ("acr1-ge-2-1-0.Boston.cw.net") are read as before.
    domain: 'cw.net',
    name: 'Vodafone (Cable & Wireless)',
    codes: 'operator',
    site: /(?:^|\.)(?<site>[a-z]{3})\.$/,
  },
  {
    // {iface}.{role}{nn}.{site}{nn}.ntwk.msn.net ("ae24-0.ier02.fra21", "be-8-0.ibr01.bl20"): the site
    // is the label before "ntwk"; the role label left of it ("ibr01") is never the site (IBR is an
    // airport in Japan). Sites are IATA codes or Microsoft's own abbreviations, listed below.
    domain: 'msn.net',
    name: 'Microsoft',
    codes: 'generic',
    site: /(?:^|\.)(?<site>[a-z]{2,3})\d+\.ntwk\.$/,
    known: microsoftSites(),
    knownOnly: 'site',
  },
  // Tata Communications (AS6453, formerly Teleglobe): {iface}.{tcore|core}{n}.{site}-{city}.as6453.net
  // ("if-ae-12-2.tcore1.sqn-san-jose", "tcore2.LVW-LosAngeles"). A global backbone, but the AS is
  // registered in ARIN's region to TATA COMMUNICATIONS (AMERICA) INC, and its US sites (New York,
  // San Jose) are its main exchange points (NANOG list, "Tata AS6453 not peering with NTT AS2914
  // in Japan"): a spelled city whose namesake is in the US is the US one unless RTT says otherwise.
  {domain: 'as6453.net', name: 'Tata Communications', codes: 'generic', home: 'US'},
  {domain: 'ntt.net', name: 'NTT', codes: 'generic'},
  {domain: 'cogentco.com', name: 'Cogent', codes: 'generic'},
  {domain: 'verizon-gni.net', name: 'Verizon', codes: 'clli', country: 'US'},
  {domain: 'comcast.net', name: 'Comcast', codes: 'generic', country: 'US'},
  {
    // SURF (AS1103), the Dutch national research and education network: its nodes are named by
    // the Dutch railway (NS) station abbreviations of their city, a node number and a letter:
    // "asd001a-jnx-01" and "ut002a-jnx-01" in SURF's own orchestration code, the location codes
    // Asd001A, Gn001A, Ledn001A, Mt001A, Ut001A in its network dashboard's data, and
    // "AE8.1117.JNR01.Asd001A.surf.net" in a public traceroute. Read as IATA the letters name
    // other places (ASD Andros Town, Bahamas), so the codes are the operator's own; the
    // listed ones are those seen in SURF's names (NS: Asd Amsterdam Centraal, Ut Utrecht
    // Centraal, Gn Groningen, Ledn Leiden Centraal, Mt Maastricht).
    domain: 'surf.net',
    name: 'SURF',
    codes: 'operator',
    country: 'NL',
    known: surfSites(),
  },
  {domain: 'dtag.de', name: 'Deutsche Telekom', codes: 'operator'},
  {domain: 'hetzner.com', name: 'Hetzner', codes: 'operator'},
  {
    // EC2 names: ec2-{ip}.{region}.compute.amazonaws.com (us-east-1 has compute-1.amazonaws.com)
    domain: 'amazonaws.com',
    name: 'Amazon Web Services',
    codes: 'operator',
    site: /(?:^|\.)(?<site>(?:af|ap|ca|eu|il|me|mx|sa|us)-(?:central|north|northeast|northwest|south|southeast|southwest|east|west)-\d|compute-1)\./,
    known: awsRegions(),
  },
]

/**
 * Microsoft's own site abbreviations where they are not the IATA code of that place: Microsoft's
 * list of its edge sites by abbreviation (Azure docs, includes/front-door-edge-locations-by-
 * abbreviation.md, 2023-06). Codes the general rules already read as the same city (fra, ams, sjc,
 * teb) are not repeated here.
 */
function surfSites(): Record<string, Place & {source: string}> {
  const p = (city: string, region: string, lat: number, lon: number): Place & {source: string} => ({
    city,
    country: 'NL',
    region,
    lat,
    lon,
    source: `SURF node names use the NS station abbreviation of ${city}`,
  })
  return {
    asd: p('Amsterdam', '07', 52.374, 4.8897),
    ut: p('Utrecht', '09', 52.0908, 5.1222),
    gn: p('Groningen', '04', 53.2192, 6.5667),
    ledn: p('Leiden', '11', 52.1583, 4.4931),
    mt: p('Maastricht', '05', 50.8483, 5.6889),
  }
}

function microsoftSites(): Record<string, Place & {source: string}> {
  const src = 'Microsoft edge-site abbreviations (Azure docs)'
  const p = (city: string, country: string, region: string | null, lat: number, lon: number): Place & {source: string} => ({
    city,
    country,
    region,
    lat,
    lon,
    source: `${src}: ${city}`,
  })
  const ashburn = p('Ashburn', 'US', 'VA', 39.0438, -77.4874)
  const chicago = p('Chicago', 'US', 'IL', 41.8781, -87.6298)
  const hongKong = p('Hong Kong', 'HK', null, 22.3193, 114.1694)
  const sanAntonio = p('San Antonio', 'US', 'TX', 29.4241, -98.4936)
  const seattle = p('Seattle', 'US', 'WA', 47.6062, -122.3321)
  const singapore = p('Singapore', 'SG', null, 1.3521, 103.8198)
  const tokyo = p('Tokyo', 'JP', null, 35.6895, 139.6917)
  return {
    ash: ashburn, // IATA ASH is Nashua, NH
    bl: ashburn,
    bn: p('Boydton', 'US', 'VA', 36.6676, -78.3875),
    ata: p('Atlanta', 'US', 'GA', 33.749, -84.388), // IATA ATA is Anta, Peru
    ch: chicago,
    chg: chicago, // IATA CHG is Chaoyang, China
    co: p('Quincy', 'US', 'WA', 47.2343, -119.8526),
    cpq: p('Campinas', 'BR', null, -22.9056, -47.0608),
    cys: p('Cheyenne', 'US', 'WY', 41.14, -104.8203),
    db: p('Dublin', 'IE', null, 53.3498, -6.2603),
    dm: p('Des Moines', 'US', 'IA', 41.5868, -93.625),
    hk: hongKong,
    hkb: hongKong,
    lts: p('London', 'GB', null, 51.5074, -0.1278), // IATA LTS is Altus AFB, OK
    mex: p('Querétaro', 'MX', null, 20.5881, -100.3881), // not Mexico City
    mnz: p('Manassas', 'US', 'VA', 38.751, -77.4753),
    pao: p('Palo Alto', 'US', 'CA', 37.4419, -122.143),
    pra: p('Saint-Denis', 'FR', null, 48.9362, 2.3574), // IATA PRA is Paraná, Argentina
    san: sanAntonio, // IATA SAN is San Diego
    sn: sanAntonio,
    sg: singapore,
    sge: singapore,
    sla: p('Seoul', 'KR', null, 37.5665, 126.978), // IATA SLA is Salta, Argentina
    stb: seattle,
    wst: seattle, // IATA WST is Westerly, RI
    tya: tokyo,
    tyb: tokyo,
  }
}

/** AWS regions named after a city in AWS's own region list (regions named after a state or country are left out). */
function awsRegions(): Record<string, Place & {source: string}> {
  const r = (city: string, country: string, lat: number, lon: number): Place & {source: string} => ({
    city,
    country,
    region: null,
    lat,
    lon,
    source: `AWS region list: ${city}`,
  })
  // us-east-1 (N. Virginia): its data centres are in Loudoun County, around Ashburn
  const ashburn = {...r('Ashburn', 'US', 39.0438, -77.4874), region: 'VA', source: 'AWS us-east-1 (N. Virginia)'}
  return {
    'us-east-1': ashburn,
    'compute-1': ashburn,
    'eu-central-1': r('Frankfurt am Main', 'DE', 50.1109, 8.6821),
    'eu-west-1': r('Dublin', 'IE', 53.3498, -6.2603),
    'eu-west-2': r('London', 'GB', 51.5074, -0.1278),
    'eu-west-3': r('Paris', 'FR', 48.8566, 2.3522),
    'eu-north-1': r('Stockholm', 'SE', 59.3293, 18.0686),
    'eu-south-1': r('Milan', 'IT', 45.4642, 9.19),
    'ap-northeast-1': r('Tokyo', 'JP', 35.6895, 139.6917),
    'ap-northeast-2': r('Seoul', 'KR', 37.5665, 126.978),
    'ap-northeast-3': r('Osaka', 'JP', 34.6937, 135.5023),
    'ap-southeast-1': r('Singapore', 'SG', 1.3521, 103.8198),
    'ap-southeast-2': r('Sydney', 'AU', -33.8688, 151.2093),
    'ap-south-1': r('Mumbai', 'IN', 19.076, 72.8777),
    'ap-east-1': r('Hong Kong', 'HK', 22.3193, 114.1694),
    'ca-central-1': r('Montreal', 'CA', 45.5017, -73.5673),
    'sa-east-1': r('São Paulo', 'BR', -23.5505, -46.6333),
    'af-south-1': r('Cape Town', 'ZA', -33.9249, 18.4241),
  }
}

const OPERATOR_BY_DOMAIN = new Map(OPERATORS.map((o) => [o.domain, o]))

export function operatorFor(domain: string | null): OperatorRule | null {
  return domain === null ? null : (OPERATOR_BY_DOMAIN.get(domain) ?? null)
}
