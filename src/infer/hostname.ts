// Router hostnames (and anything shaped like one: DNS identities, user header values) -> places.
// General rules, no table of names: labels and tokens, non-place words, the operator's domain,
// the conventional "site" position, country/state labels as context, per-operator conventions.
import {airportByIata, metroByCode} from '../geo/airports.js'
import {countryCode, type Region} from '../geo/countries.js'
import type {GeoHint} from '../model/pop.js'
import {boundedMemo} from '../util/memo.js'
import {clamp, fromPlace, placeless, toHint, type Candidate} from './candidate.js'
import {fullClliReading, readingsOf} from './codes.js'
import {operatorFor, splitDomain, type OperatorRule} from './domains.js'
import {withCountryAbbreviations} from './country-codes.js'
import {localName} from './local.js'
import {randomParts} from './random.js'
import {bestConfidence, labelInfo, labelParts, tokenRaw, withoutParts, type LabelInfo, type Token} from './tokenize.js'
import {STOP} from './vocab.js'

/** Below this a best reading is too weak to stand on its own; an operator code is offered instead. */
const PLACE_MIN = 0.5
/** Confidence of "a site code, place unknown". */
const OPERATOR_CONF = 0.5

const POS_SITE = 0.1
const POS_IFACE = -0.25
const POS_OTHER = -0.2
const DIGITS_BONUS = 0.05
const CTX_MATCH = 0.15
const CTX_MISMATCH = -0.3
/**
 * A reading in another country or state than the country/state label beside it ("paris.tx":
 * Paris, France) stays below PLACE_MIN: the label says where the operator put the router.
 */
const CTX_MISMATCH_CAP = 0.45
/**
 * A spelled city in another country than the name's country-code TLD ("thorn1.nsw.optusnet.com.au":
 * Thorn, NL) loses this much: a small foreign town (below 100k, base reading < 0.8) is rarely the
 * site and drops under PLACE_MIN; a big city abroad still can be (a Dutch operator's "london").
 */
const TLD_TOWN_MISMATCH = -0.3
const TLD_CITY_MISMATCH = -0.15
const BIG_CITY_READING = 0.8
/**
 * ... and the town stays under PLACE_MIN whatever the position adds: a town of 30-100k (0.7) in the
 * site position (+0.1) came back to exactly 0.5 ("static-jupiter.example.cl": Jupiter, Florida).
 * bench/infer-negatives.ts: customer names under country-code TLDs 2.0 % -> 1.7 % confident.
 */
const TLD_TOWN_CAP = 0.45
/**
 * A village (under 10k people, or a size GeoNames does not record: a base reading of 0.5, codes.ts)
 * named in a router name that says nothing of the country (no country label beside it, no
 * country-code TLD or operator country that is its own) is a word more often than the site: the
 * world has tens of thousands of such names ("mosca" a fly, "lemon", a customer's or a street's
 * name), and an operator's site in a village is rare. It stays a hint below PLACE_MIN, unless it
 * has the site-code shape itself, a number right after the name ("Bethel5", Level3's
 * "{CityName}{n}"): an operator numbering its sites in a town.
 */
const VILLAGE_READING = 0.5
const VILLAGE_CAP = 0.45
/** A small airport abroad under a country-code TLD stays a hint whatever else speaks for it. */
const AIRPORT_ABROAD_CAP = 0.45
const COUNTRY_NAME_MATCH = 0.1
const OPERATOR_COUNTRY_MISMATCH = -0.3
/**
 * A same-named place in the operator's country takes the lead only when it is a real city in its
 * own right (London, Ontario; Perth, Scotland), not a village (Paris, Ontario).
 */
const HOME_TIE_MIN = 0.45

/** A metro code or a large airport: a site an operator abroad may well have. */
function majorAirport(code: string): boolean {
  return metroByCode(code) !== null || airportByIata(code)?.large === true
}

/** A code after a number inside one part ("osk008agr02") stays below PLACE_MIN. */
const AFTER_NUMBER_CAP = 0.45

/** A short code-like token in a label that also spells a city name out loses this much. */
const SHORT_BESIDE_SPELLED = -0.25

/**
 * Words that mark a customer or access line (a home connection, a cable modem, a dial-up pool):
 * "cpe-70-1-2-3.nyc.res.rr.com", "cpc1-lutn1-2-0-cust123.9-3.cable.virginm.net".
 */
const ACCESS_WORDS: ReadonlySet<string> = new Set([
  'res', 'resi', 'residential', 'cust', 'customer', 'customers', 'cpe', 'dsl', 'adsl', 'vdsl', 'xdsl', 'cable', 'dyn',
  'dynamic', 'dynip', 'pool', 'dhcp', 'ppp', 'pppoe', 'ftth', 'fttx', 'fttp', 'gpon', 'broadband', 'client', 'clients',
  'subscriber', 'subscribers', 'home', 'dialup', 'dial', 'hsd', 'hfc', 'docsis', 'user', 'users', 'static',
])
/** Four numbers in a row in one label, one of them 10 or more: an embedded IPv4 address ("syn-098-123-045-067"). */
const EMBEDDED_ADDRESS = /(?:^|[^0-9])[0-9]{1,3}[-._][0-9]{1,3}[-._][0-9]{1,3}[-._][0-9]{1,3}(?![0-9])/

/**
 * Is this a customer/access-line name (it embeds the customer's address, or names the line)?
 * Such names are minted by the million from a few words; a short label in them is more often a
 * product or line word ("res", "cpc") than the site, so an airport reading needs more support.
 */
function accessName(host: string[], infos: LabelInfo[]): boolean {
  if (infos.filter((x) => x.numeric).length >= 3) return true
  for (let i = 0; i < host.length; i++) if (accessLabel(host[i]!, infos[i]!)) return true
  return false
}

/** Does this label carry the line itself: an embedded address ("cpe-70-1-2-3") or a line word ("cust123")? */
function accessLabel(label: string, info: LabelInfo): boolean {
  if (hasAddress(label, info)) return true
  for (const t of info.tokens) if (t.kind === 'run' && ACCESS_WORDS.has(t.text)) return true
  return false
}

/**
 * Words that name one customer's line ("cust123", "dynamic-acs-...", "cpe-..."); unlike the
 * product words of ACCESS_WORDS ("res" is also Verizon's Reston in "RES-BB-RTR1") they are never
 * in a router's own label.
 */
const LINE_WORDS: ReadonlySet<string> = new Set(['cust', 'customer', 'customers', 'cpe', 'dsl', 'adsl', 'vdsl', 'xdsl', 'dyn', 'dynamic', 'dynip', 'dhcp', 'ppp', 'pppoe', 'subscriber', 'subscribers', 'dialup', 'dial'])

/** Does this label carry one customer's line: an embedded address, or a line word? */
function lineLabel(label: string, info: LabelInfo): boolean {
  if (hasAddress(label, info)) return true
  for (const t of info.tokens) if (t.kind === 'run' && LINE_WORDS.has(t.text)) return true
  return false
}

/** Does the name carry an IPv4 address (in one label, or as numeric labels)? Interface labels ("xe-0-6-0-5") do not count. */
function embedsAddress(host: string[], infos: LabelInfo[]): boolean {
  if (infos.filter((x) => x.numeric).length >= 3) return true
  for (let i = 0; i < host.length; i++) if (hasAddress(host[i]!, infos[i]!)) return true
  return false
}

/** An IPv4 address in one label (not an interface label's port numbers "xe-0-6-0-5"). */
function hasAddress(label: string, info: LabelInfo): boolean {
  if (info.iface) return false
  const m = EMBEDDED_ADDRESS.exec(label)
  return m !== null && m[0].match(/[0-9]+/g)!.some((n) => n.length >= 2)
}

/**
 * Network words that are also airport codes: "man" a metropolitan area network (MAN,
 * Manchester), "isp" (ISP, Islip), "nas" a network access server (NAS, Nassau), "lns" an L2TP
 * network server (LNS, Lancaster PA), "bras" (4 letters, no code). In an access name they are the
 * access network's own words ("host-1-2-3-4.man.example-broadband.net"), so an airport reading
 * of one bare (no number after it) is capped below PLACE_MIN like a small airport's.
 */
const ACCESS_NETWORK_WORDS: ReadonlySet<string> = new Set(['man', 'isp', 'nas', 'lns'])

/** In an access name, an airport that is not a large one is capped below PLACE_MIN: alone it names no place. */
const ACCESS_SMALL_AIRPORT_CAP = 0.45
/** ... and a large one loses this much (a well-known airport code is still a likely region label). */
const ACCESS_LARGE_AIRPORT = -0.15

/** The confidence of an IATA reading in an access name; a metro code ("nyc") keeps its own. */
function accessAdjust(code: string, conf: number, bare: boolean): number {
  if (bare && ACCESS_NETWORK_WORDS.has(code)) return Math.min(conf, ACCESS_SMALL_AIRPORT_CAP)
  if (metroByCode(code) !== null) return conf
  const a = airportByIata(code)
  if (a?.large) return conf + ACCESS_LARGE_AIRPORT
  return Math.min(conf, ACCESS_SMALL_AIRPORT_CAP)
}

/** Does the label spell a city name out (a token of 6+ letters read as a city, e.g. "LosAngeles")? */
function spelledCity(info: LabelInfo): boolean {
  for (const t of info.tokens) {
    if (t.text.length < 6) continue
    for (const r of t.readings) if (r.codeType === 'city' && r.confidence >= 0.6) return true
  }
  return false
}

/**
 * Australian state labels ("thorn1.nsw.optusnet.com.au"), read as context in .au names only: "act",
 * "vic" or "wa" elsewhere are other things. Values are GeoNames admin-1 codes (the city table's).
 */
const AU_STATES: Readonly<Record<string, string>> = {act: '01', nsw: '02', nt: '03', qld: '04', sa: '05', tas: '06', vic: '07', wa: '08'}

/** The regions a label names as context: a bare country/state code, or an Australian state in an .au name. */
function labelRegions(info: LabelInfo, home: string | null): Region[] | null {
  if (home === 'AU') {
    const key = info.label.toLowerCase()
    // own keys only: a label "constructor" must not find Object.prototype's
    if (Object.hasOwn(AU_STATES, key)) return [{country: 'AU', admin: AU_STATES[key]!}]
  }
  return info.regions
}

/** Country-code TLDs sold as generic names: they say nothing of where the operator is. */
const VANITY_TLDS = new Set(['io', 'co', 'tv', 'me', 'ai', 'cc', 'ws', 'fm', 'to', 'ly', 'gg', 'sh', 'ac', 'nu', 'la', 'vc', 'im', 'am', 'gl', 'fo', 'ms', 'st', 'tk'])

/** The operator's country: a known operator's home, else its domain's country-code TLD. */
export function homeCountry(op: OperatorRule | null, domain: string | null): string | null {
  if (op?.country) return op.country
  const tld = domain?.split('.').pop()?.toLowerCase() ?? ''
  if (tld.length !== 2 || VANITY_TLDS.has(tld)) return null
  return countryCode(tld)
}

/**
 * Readings of one token that name same-named or same-lettered places (London GB and London CA):
 * the operator's country breaks the tie. Its reading takes the lead reading's confidence and the
 * lead takes its place, so "london.example.ca" is London, Ontario, and a UK operator's is London.
 */
function homeTieBreak(readings: Candidate[], base: number[], home: string | null): boolean {
  if (home === null || readings.length < 2) return false
  let lead = 0
  for (let i = 1; i < readings.length; i++) if (readings[i]!.confidence > readings[lead]!.confidence) lead = i
  if (readings[lead]!.country === home) return false
  let mine = -1
  for (let i = 0; i < readings.length; i++) {
    const r = readings[i]!
    if (r.country !== home || base[i]! < HOME_TIE_MIN || r.code !== readings[lead]!.code) continue
    if (mine < 0 || r.confidence > readings[mine]!.confidence) mine = i
  }
  if (mine < 0) return false
  const a = readings[lead]!
  const b = readings[mine]!
  ;[a.confidence, b.confidence] = [b.confidence, a.confidence]
  b.note = `${b.note}; the operator's country (${home}) breaks the tie with ${a.city ?? a.code}, ${a.country ?? '?'}`
  return true
}

/**
 * Same-named cities in different countries whose readings stay this close after every rule
 * (position, context label, TLD, operator country) are a tie the name cannot break: Tata's
 * "sv1-santa-clara" read Santa Clara, Cuba 0.80 over Santa Clara, California 0.78 by population
 * alone. Neither is confident then; the tied readings are kept (in their order) below PLACE_MIN,
 * where fusion breaks the tie: the RTT bound drops the one too far from the vantage point, and
 * another hop or signal naming a place beside one of them outweighs the other.
 */
const NAMESAKE_TIE = 0.1
const NAMESAKE_TIE_CAP = 0.45

function namesakeTie(readings: Candidate[]): void {
  let lead: Candidate | null = null
  for (const r of readings) if (r.codeType === 'city' && r.lat !== null && (lead === null || r.confidence > lead.confidence)) lead = r
  if (lead === null || lead.confidence < PLACE_MIN) return
  const top = lead.confidence
  const city = (r: Candidate): boolean => r.codeType === 'city' && r.lat !== null
  const rival = readings.find((r) => city(r) && r !== lead && r.country !== lead.country && r.confidence >= PLACE_MIN && top - r.confidence < NAMESAKE_TIE)
  if (rival === undefined) return
  // every namesake of the name goes below the cap, in the order they had (a village of that
  // name must not come out on top of the two it could not choose between)
  for (const r of readings) {
    if (!city(r)) continue
    const capped = NAMESAKE_TIE_CAP - (top - r.confidence) / 10
    if (r.confidence <= capped) continue
    const tied = top - r.confidence < NAMESAKE_TIE
    if (tied) r.untied = r.confidence
    r.confidence = capped
    if (tied) r.note = `${r.note}; tied with ${r === lead ? `${rival.city}, ${rival.country}` : `${lead.city}, ${lead.country}`}: the name alone does not say which`
  }
}

/**
 * How many names' readings are kept. A traceroute corpus crosses the same routers over and over
 * (Atlas: thousands of probes, a few hundred edge routers), so reading each name once pays; an
 * entry is a few candidates (~0.5 KB), so the bound keeps the memo to tens of MB.
 */
const NAME_MEMO = 50_000
/** Free text read by the general rules (DNS identities, header values): fewer distinct values. */
const TEXT_MEMO = 10_000

// frozen: a caller that changed a shared reading would change every later answer for that name;
// in strict-mode modules the attempt throws instead
const freeze = (list: Candidate[]): readonly Readonly<Candidate>[] => Object.freeze(list.map((c) => Object.freeze(c)))
const readText = boundedMemo(TEXT_MEMO, (name): readonly Readonly<Candidate>[] => freeze(nameCandidatesUncached(name)))
const readName = boundedMemo(NAME_MEMO, (name): readonly Readonly<Candidate>[] => freeze(hostnameCandidatesUncached(name)))

/**
 * Every reading of a hostname, most confident first, shared with the memo: callers must not change
 * the list or its candidates (fusion only reads them). `hostnameCandidates` gives copies.
 */
export function sharedHostnameCandidates(name: string): readonly Readonly<Candidate>[] {
  return readName(name)
}

/** Every reading of a hostname, most confident first (internal form); the caller's own copies. */
export function hostnameCandidates(name: string): Candidate[] {
  return copies(readName(name))
}

/**
 * Every reading of a name-shaped text that is not a reverse-DNS name (a DNS server's own name, a
 * header value: "fra1", "dns-dal04"), by the general rules alone: a server names itself in one
 * label, and its caller has its own rule for a lone word (identity.ts). The caller's own copies.
 */
export function nameCandidates(text: string): Candidate[] {
  return copies(readText(text))
}

function copies(list: readonly Readonly<Candidate>[]): Candidate[] {
  const out: Candidate[] = new Array(list.length)
  for (let i = 0; i < list.length; i++) out[i] = {...list[i]!}
  return out
}

/**
 * A name a local network gave itself (local.ts: one label, or under .lan, .local, .home.arpa,
 * fritz.box ...) says only what its owner chose to call a box, so it names no place with
 * confidence: its readings are those of the labels left of the local suffix, read alone, at this
 * fraction (0.95 at most becomes 0.48, under the 0.5 of a confident place: the same factor as a
 * lone server name in identity.ts), and a "site code, place unknown" is not offered (a local
 * network has no operator convention whose site position it could be).
 */
const LOCAL_NAME_FACTOR = 0.5

/** The reading of a reverse-DNS name (the memo's source, and what tests compare it with). */
export function hostnameCandidatesUncached(name: string): Candidate[] {
  const local = localName(name)
  if (local === null) return nameCandidatesUncached(name)
  if (local.host.length === 0) return []
  const why = local.kind === 'single-label' ? 'a name of one label' : `a name under ${local.suffix}`
  const out: Candidate[] = []
  for (const c of nameCandidatesUncached(local.host.join('.'))) {
    if (c.lat === null) continue
    out.push({
      ...c,
      confidence: c.confidence * LOCAL_NAME_FACTOR,
      ...(c.untied === undefined ? {} : {untied: c.untied * LOCAL_NAME_FACTOR}),
      note: `${c.note}; ${why}, from a local network's own naming (hosts file, home router), not an operator's site`,
    })
  }
  return out
}

/** The general rules over a name, without the memo and without the local-name rule. */
function nameCandidatesUncached(name: string): Candidate[] {
  const clean = cleanName(name)
  if (clean === '') return []
  const labels = clean.split('.').filter((l) => l.length > 0)
  if (labels.length === 0) return []
  const {host, domain, registrable} = splitDomain(labels)
  if (host.length === 0) return []
  const op = operatorFor(domain)
  const home = homeCountry(op, domain)
  /** the country of the name's own country-code TLD, when no operator rule says more */
  const tldHome = op?.country ? null : home
  if (op?.site) {
    const viaRule = operatorSite(op, host)
    if (viaRule !== null) return viaRule
  }
  const infos = host.map(readLabel)
  const access = accessName(host, infos)
  /** the last label, when it stands where a TLD does and is none we know ("ctc" of "router.ctc"), else -1 */
  const tldSpot = unknownSuffixSpot(labels, domain)
  const regStop = registrable === null ? null : (/^[a-z]+/.exec(registrable)?.[0] ?? null)

  // context: the rightmost run of bare country/state labels with no strong reading right of it
  let ctxStart = -1
  let strongRight = false
  for (let i = infos.length - 1; i >= 1; i--) {
    const info = infos[i]!
    if (labelRegions(info, home) !== null && !strongRight) {
      ctxStart = i
      while (ctxStart - 1 >= 1 && labelRegions(infos[ctxStart - 1]!, home) !== null) ctxStart--
      break
    }
    if (info.best >= 0.5) strongRight = true
  }
  const ctx: Region[] = []
  if (ctxStart >= 0) for (let i = ctxStart; i < infos.length; i++) ctx.push(...(labelRegions(infos[i]!, home) ?? []))
  const spelled = new Set<string>()
  for (const info of infos) for (const cc of info.countryNames) spelled.add(cc)
  // a short form of a city of the country the name is in ("kra" in a .pl name, "kazn" in a .ru one,
  // "erl" beside a "de" label): the country from a country label beside the site, else the
  // country-code TLD (not a known operator's country: a national backbone's own mnemonics are its
  // rule's business); a state label ("tx") is a CLLI matter, and customer lines are left alone
  const abbrCountry = ctx.length > 0 ? (ctx.every((g) => g.admin === null) ? pickCountry(ctx, domain) : null) : tldHome
  if (abbrCountry !== null && !access) {
    for (let i = 0; i < (ctxStart >= 0 ? ctxStart : infos.length); i++) infos[i] = withCountryAbbreviations(infos[i]!, abbrCountry, regStop, i === ctxStart - 1)
  }

  // the interface label, and a label before an embedded address ("unn-1.2.3.4"), are never the site
  const numericLabels = infos.filter((x) => x.numeric).length
  const notSite = (i: number): boolean =>
    infos.length > 1 && i === 0 && (infos[0]!.iface || numericLabels >= 2)
  // ... nor the label in the TLD's place: a site code there is the suffix read as one
  const notSiteNorTld = (i: number): boolean => i === tldSpot || notSite(i)
  let siteIdx = ctxStart > 0 ? ctxStart - 1 : -1
  if (siteIdx < 0) {
    for (let i = infos.length - 1; i >= 0; i--) {
      if (notSiteNorTld(i)) continue
      if (usable(infos[i]!, regStop, op) >= 0.3) {
        siteIdx = i
        break
      }
    }
    // a bare word ("icn" of Akamai's "ae2.r02.lga01.icn.netarch") is more often a network or
    // product name than the site when a label left of it has the site-code shape ("lga01")
    // ... but only a code at least as well read as the bare word: "fra" of Sparkle's
    // "franco71.fra.seabone.net" (Frankfurt Airport, 0.8) is the site, not "franco71", a 6-letter
    // CLLI guess (0.55) on its router's own name
    if (siteIdx > 0 && usable(infos[siteIdx]!, regStop, op, true) === 0) {
      const bare = usable(infos[siteIdx]!, regStop, op)
      for (let i = siteIdx - 1; i >= 0; i--) {
        if (notSiteNorTld(i)) continue
        const shaped = usable(infos[i]!, regStop, op, true)
        if (shaped >= 0.5 && shaped >= bare) {
          siteIdx = i
          break
        }
      }
    }
  }

  // a role word that is also an airport ("ear1" Kearney, "cgn03" Cologne) is read as the site only
  // when no label right of it has the site-code shape: in "lag-101.ear1.Metro2.Level3.net" the
  // site is Metro2 (a word the rules do not read), not the role label left of it
  const wordsEnd = ctxStart >= 0 ? ctxStart : infos.length
  const lastWordLabel = (i: number): boolean => {
    for (let j = i + 1; j < wordsEnd; j++) if (infos[j]!.tokens.some((t) => t.kind === 'run' && t.digitsAfter)) return false
    return true
  }
  const out: Candidate[] = []
  for (let i = 0; i < infos.length; i++) {
    if (i >= ctxStart && ctxStart >= 0) break // context labels and what follows are not sites
    const labelCc = countryPrefix(host[i]!, home)
    const pos = i === siteIdx ? POS_SITE : notSite(i) || (i === 0 && infos.length > 1) ? POS_IFACE : POS_OTHER
    const spelledHere = spelledCity(infos[i]!)
    const clliHere = infos[i]!.tokens.some((x) => x.digitsBefore === true && x.readings.some((r) => r.codeType === 'clli'))
    let parts: string[] | null = null
    for (const t of infos[i]!.tokens) {
      if (t.text === regStop) continue
      const known = operatorKnown(op, t)
      if (known === undefined && t.readings.length === 0) continue
      parts ??= labelParts(host[i]!)
      const raw = tokenRaw(parts, t)
      if (known) {
        out.push(fromPlace(t.text, 'operator', raw, known, clamp(0.85 + pos), `${op!.name} convention: ${known.source}`))
        continue
      }
      const mine: Candidate[] = []
      const base: number[] = []
      for (const r of t.readings) {
        if (op !== null && !allowed(op, r.codeType)) continue
        if (r.soft && !(i === siteIdx && t.digitsAfter && lastWordLabel(i))) continue
        // "tor1" is far more often a top-of-rack switch than Toronto: a soft abbreviation needs a country label that agrees
        if (r.soft && r.codeType === 'operator' && !contextMatch(ctx, r.country, r.region)) continue
        // an 8-letter CLLI + building code stands only beside a number ("lsancarc0yw", "mcr11rochnyei")
        if (r.codeType === 'clli' && t.text.length === 8 && !t.digitsAfter && !t.digitsBefore) continue
        let conf = r.confidence + pos
        if (t.digitsAfter && r.codeType !== 'city') conf += DIGITS_BONUS
        // "osk008agr02": a code after the number is the role ("agr" aggregation), not the site (Agra)
        // ... and a code with a long word after its number is the role ("hcr" of "hcr01snaxtx40")
        if ((t.digitsBefore || t.wordAfterNumber) && r.codeType !== 'city' && r.codeType !== 'clli') conf = Math.min(conf, AFTER_NUMBER_CAP)
        // "hcr01snaxtx40", "bbr01dllstx": beside a CLLI code after the number, the leading letters are the role
        if (clliHere && t.text.length <= 3 && r.codeType !== 'clli') conf = Math.min(conf, AFTER_NUMBER_CAP)
        // "sea1-LosAngeles": beside a spelled city name, a 3-letter prefix is a role or a
        // private code that happens to be an airport's letters, not the site
        if (spelledHere && t.text.length <= 3 && r.codeType !== 'city') conf += SHORT_BESIDE_SPELLED
        if (ctx.length > 0) conf = contextMatch(ctx, r.country, r.region) ? conf + CTX_MATCH : Math.min(conf + CTX_MISMATCH, CTX_MISMATCH_CAP)
        // "de-bon01a": the country the label starts with is where the site is (Bonn, not Bonaire)
        if (labelCc !== null && t.part >= 1 && r.country !== null && r.country !== labelCc) conf = Math.min(conf + CTX_MISMATCH, CTX_MISMATCH_CAP)
        if (tldHome !== null && r.codeType === 'city' && r.country !== tldHome) {
          conf += r.confidence >= BIG_CITY_READING ? TLD_CITY_MISMATCH : TLD_TOWN_MISMATCH
          // ... unless a state or country label beside it agrees ("cr1.jupiter.fl.example.cl")
          if (r.confidence < BIG_CITY_READING && !contextMatch(ctx, r.country, r.region)) conf = Math.min(conf, TLD_TOWN_CAP)
        }
        if (r.codeType === 'city' && r.confidence <= VILLAGE_READING && !t.digitsAfter && !contextMatch(ctx, r.country, r.region) && (home === null || r.country !== home)) conf = Math.min(conf, VILLAGE_CAP)
        // an airport abroad that is not a large one ("cor" in a .es name: Córdoba, Argentina) is rarely
        // the site of an operator under that country's TLD
        // (a cap, not only a step down: "xr-bay1.x-win.dfn.de" read Baia Mare, RO 0.55 and
        // "cr-tub2" Tubuai, PF 0.55 for the German research network's Bayreuth and TU Berlin)
        if (tldHome !== null && r.codeType === 'iata' && r.country !== tldHome && !majorAirport(r.code)) conf = Math.min(conf + TLD_TOWN_MISMATCH, AIRPORT_ABROAD_CAP)
        // ... nor is an ICAO code abroad: operators write IATA letters, and a 4-letter token is far
        // more often a role or product word of the operator's own ("uacc05", an access router of a
        // Brazilian operator, is the ICAO code of Astana, KZ)
        if (tldHome !== null && r.codeType === 'icao' && r.country !== tldHome) conf = Math.min(conf + TLD_TOWN_MISMATCH, AIRPORT_ABROAD_CAP)
        if (spelled.size > 0 && r.country !== null && spelled.has(r.country)) conf += COUNTRY_NAME_MATCH
        if (op?.country && r.country !== op.country) conf += OPERATOR_COUNTRY_MISMATCH
        // ... except a site-code shape in a label of its own ("hio52" of a CloudFront
        // "server-3-163-26-68.hio52"): the line words and the address are elsewhere
        if (access && r.codeType === 'iata' && !(t.digitsAfter && !accessLabel(host[i]!, infos[i]!))) conf = accessAdjust(r.code, conf, !t.digitsAfter)
        // a guess from letters (country-codes.ts) stays one whatever the position and context add
        if (r.ceiling !== undefined) conf = Math.min(conf, r.ceiling)
        // ... and a CLLI fit of a small town stays one unless a country or state label agrees (codes.ts)
        if (r.unconfirmedCeiling !== undefined && !contextMatch(ctx, r.country, r.region)) conf = Math.min(conf, r.unconfirmedCeiling)
        // "router.ctc", "ns1.ams": a code in the TLD's place of a name whose suffix we do not know
        // is the suffix as often as a site; a city spelled out there ("gw.frankfurt") keeps its reading
        const inTldSpot = i === tldSpot && r.codeType !== 'city'
        if (inTldSpot) conf = Math.min(conf, UNKNOWN_SUFFIX_CAP)
        base.push(r.confidence)
        mine.push({
          code: r.code,
          codeType: r.codeType,
          token: raw,
          city: r.city,
          country: r.country,
          region: r.region,
          lat: r.lat,
          lon: r.lon,
          confidence: clamp(conf),
          note: inTldSpot ? `${r.note}; ${UNKNOWN_SUFFIX_NOTE(host[i]!)}` : r.note,
        })
      }
      if (!homeTieBreak(mine, base, op?.home ?? home)) namesakeTie(mine)
      out.push(...mine)
    }
  }

  let best = 0
  for (const c of out) if (c.confidence > best) best = c.confidence
  // a name whose suffix we do not know has no known layout either: which label is the operator's
  // site position is a guess ("udns1.lax": a server word, not a site code)
  if (best < PLACE_MIN && tldSpot < 0) {
    // the country a label starts with ("de" of "de-bon01a") is not its site code
    const ccs = host.map((l) => countryPrefix(l, home))
    // ... nor is a word of a name a machine picked ("kube" of a pod "kube-dns-7d4b9c8f6d-lhr2k")
    const codeInfos = infos.map((info, i) => (randomParts(host[i]!) !== null ? NO_TOKENS : ccs[i] === null ? info : withoutParts(info, [0])))
    const found = operatorFallback(codeInfos, siteIdx, ctxStart, regStop, op, notSite)
    // a line or network word of an address-bearing name ("res" of "syn-1-2-3-4.res.spectrum.com",
    // "man" of "host-1-2-3-4.man.example.net") is no site code
    // ... nor a word in the label that carries the customer's line ("acs" of
    // "dynamic-acs-24-1-2-3.zoominternet.net", "cpc" of Virgin Media's "cpc1-lutn1-2-0-cust123")
    const lineWord = found !== null && access && lineLabel(host[found.label]!, infos[found.label]!)
    if (found !== null && !lineWord && !((ACCESS_WORDS.has(found.token.text) || ACCESS_NETWORK_WORDS.has(found.token.text)) && embedsAddress(host, infos))) {
      const fallback = {text: found.token.text, raw: tokenRaw(labelParts(host[found.label]!), found.token)}
      const country = op?.country ?? ccs[found.label] ?? pickCountry(ctx, domain) ?? (spelled.size === 1 ? [...spelled][0]! : null)
      out.push(
        placeless(
          fallback.text,
          'operator',
          fallback.raw,
          OPERATOR_CONF,
          `site code ${fallback.text} in the site position${op ? ` of ${op.name}` : ''}; place unknown`,
          country,
        ),
      )
    }
  }
  return dedupe(out)
}

/**
 * A name whose last label is letters and no top-level domain we know ("router.ctc", "ns1.ams",
 * "rtr1.fra.acme": a made-up or private suffix, or a TLD newer than our list): that label is in
 * the TLD's place, so a code there is no site code on its own. Its readings stay hints below
 * PLACE_MIN (the RTT bound or another signal can still confirm one) and it is never offered as a
 * "site code, place unknown". A label with a digit ("usdal1") cannot be a TLD (RFC 3696 section
 * 2: a TLD is not all-numeric; in practice letters only, or "xn--" for IDNs) and keeps its reading.
 */
const UNKNOWN_SUFFIX_CAP = 0.45
const UNKNOWN_SUFFIX_NOTE = (label: string): string =>
  `the last label (${label}) stands where a top-level domain does and is none we know: not a site code on its own`
const TLD_SHAPED = /^[a-z]{3,}$/i

function unknownSuffixSpot(labels: string[], domain: string | null): number {
  if (domain !== null || labels.length < 2) return -1
  return TLD_SHAPED.test(labels[labels.length - 1]!) ? labels.length - 1 : -1
}

const NO_TOKENS: LabelInfo = {label: '', tokens: [], regions: null, countryNames: [], best: 0, iface: false, numeric: false}

/** A label's analysis, less its random parts (random.ts: a Windows or pod name's random suffix, a hash). */
function readLabel(label: string): LabelInfo {
  const info = fullClli(label, labelInfo(label))
  const random = randomParts(label)
  return random === null ? info : withoutParts(info, random.parts)
}

/** 11 characters: 6 letters of place, then building and equipment codes with a digit among them (ATIS-0300253). */
const FULL_CLLI = /^[A-Za-z]{6}(?=[A-Za-z]{0,4}[0-9])[A-Za-z0-9]{5}$/

/**
 * A part that is a full CLLI code ("tustca4200w") has its place part read as one (codes.ts,
 * fullClliReading). The label's analysis is shared by labels that differ only in their digits
 * (tokenize.ts), so the shape is checked here on the label as written; a copy when it changes.
 */
function fullClli(label: string, info: LabelInfo): LabelInfo {
  let tokens: Token[] | null = null
  let parts: string[] | null = null
  for (let k = 0; k < info.tokens.length; k++) {
    const t = info.tokens[k]!
    if (t.kind !== 'run' || t.text.length !== 6 || t.digitsBefore || !t.digitsAfter) continue
    parts ??= labelParts(label)
    if (!FULL_CLLI.test(parts[t.part] ?? '')) continue
    const full = fullClliReading(t.text)
    if (full === null) continue
    tokens ??= [...info.tokens]
    tokens[k] = {...t, readings: [full, ...t.readings.filter((r) => r.codeType !== 'clli')]}
  }
  return tokens === null ? info : {...info, tokens, best: bestConfidence(tokens)}
}

/**
 * The country a label names before its site code, as Liberty Global's aorta.net writes its
 * routers ("de-fra04d-rc1", "ie-dub01a-ra3", "ch-gva01a-ra1", "nl-ams14a-ri1": public traceroutes
 * through Vodafone Germany, Virgin Media Ireland, UPC): a first part that is a country code and
 * not an interface or role word ("ae-1", "cr-fra1", "be-5"), then a part with letters. A reading
 * of the site in another country is held below PLACE_MIN as a country label beside it would
 * hold it: "de-bon01a-rd03" is Bonn, not Kralendijk, Bonaire (BON) at 0.95. Only where the
 * operator's country (known operator, or country-code TLD) is unknown or the same.
 */
function countryPrefix(label: string, home: string | null): string | null {
  const m = COUNTRY_PREFIX.exec(label)
  if (m === null) return null
  const lower = m[1]!.toLowerCase()
  const cc = STOP.has(lower) ? null : countryCode(lower)
  // under another country's TLD or operator the letters are something else (SingNet's
  // "sn-sinqt1" in singnet.com.sg is not Senegal)
  return cc !== null && (home === null || home === cc) ? cc : null
}
const COUNTRY_PREFIX = /^([a-z]{2})[-_][a-z]/i

/** Readings of a hostname as GeoHints, most confident first. */
export function hostnameHints(name: string): GeoHint[] {
  return readName(name).map(toHint)
}

/** The best reading of a hostname, or null when it names no place and no site code. */
export function hostnameHint(name: string): GeoHint | null {
  const c = readName(name)[0]
  return c === undefined ? null : toHint(c)
}

/** Convenience for a traceroute hop: the best reading of its reverse-DNS name, or null. */
export function hintForHop(hostname: string | null | undefined): GeoHint | null {
  return hostname ? hostnameHint(hostname) : null
}

function cleanName(name: string): string {
  let s = name.trim()
  if (s.length > 2 && s.startsWith('"') && s.endsWith('"')) s = s.slice(1, -1)
  if (s.endsWith('.')) s = s.slice(0, -1)
  return s.length > 253 ? s.slice(0, 253) : s
}

function allowed(op: OperatorRule | null, codeType: string): boolean {
  if (op === null || op.codes === 'generic') return true
  if (op.codes === 'operator') return codeType === 'city'
  return codeType === 'clli' || codeType === 'city'
}

/**
 * The place an operator's own list gives a token anywhere in its names (not when the list holds
 * only codes read at the operator's site position: knownOnly), or undefined.
 */
function operatorKnown(op: OperatorRule | null, t: {kind: string; text: string}): NonNullable<OperatorRule['known']>[string] | undefined {
  return t.kind === 'run' && op?.known !== undefined && op.knownOnly === undefined && Object.hasOwn(op.known, t.text) ? op.known[t.text] : undefined
}

/**
 * Best usable reading confidence of a label, ignoring the registrable name and what the operator
 * forbids; `shaped`: only tokens shaped like a site code (letters then digits, "lga01").
 */
function usable(info: LabelInfo, regStop: string | null, op: OperatorRule | null, shaped = false): number {
  let best = 0
  for (const t of info.tokens) {
    if (t.text === regStop || (shaped && !t.digitsAfter)) continue
    if (operatorKnown(op, t) !== undefined) return 0.85
    for (const r of t.readings) {
      if (r.soft && (shaped || !t.digitsAfter)) continue // "bdr1", "cr1": a role word with a number is not a site shape
      if (allowed(op, r.codeType) && r.confidence > best) best = r.confidence
    }
  }
  return best
}

function contextMatch(ctx: Region[], country: string | null, region: string | null): boolean {
  for (const g of ctx) if (g.country === country && (g.admin === null || g.admin === region)) return true
  return false
}

function pickCountry(ctx: Region[], domain: string | null): string | null {
  if (ctx.length === 0) return null
  const countries = [...new Set(ctx.map((g) => g.country))]
  if (countries.length === 1) return countries[0]!
  const tld = domain?.split('.').pop()?.toUpperCase()
  if (tld && countries.includes(tld)) return tld
  return null
}

/** A code-like token in the site position, for "code seen, place unknown". */
function operatorFallback(
  infos: LabelInfo[],
  siteIdx: number,
  ctxStart: number,
  regStop: string | null,
  op: OperatorRule | null,
  notSite: (i: number) => boolean,
): {token: Token; label: number} | null {
  const byContext = ctxStart > 0 && siteIdx === ctxStart - 1
  const maxLen = byContext ? 64 : 5
  const minLen = byContext || op?.codes === 'operator' ? 1 : 2
  const ok = (t: Token): boolean =>
    t.kind === 'run' &&
    t.text !== regStop &&
    !STOP.has(t.text) &&
    t.text.length >= minLen &&
    t.text.length <= maxLen
  if (siteIdx >= 0) {
    for (const t of infos[siteIdx]!.tokens) if (ok(t)) return {token: t, label: siteIdx}
    return null
  }
  // no site position: rank short codes, site-code shape ("fsn1", "lsan0") and the rightmost label
  let best: {token: Token; label: number} | null = null
  let bestScore = -1
  let last = -1
  for (let i = 0; i < infos.length; i++) if (!notSite(i) && infos[i]!.tokens.some(ok)) last = i
  for (let i = 0; i < infos.length; i++) {
    if (notSite(i)) continue
    for (const t of infos[i]!.tokens) {
      if (!ok(t)) continue
      const len = t.text.length
      const score = (len >= 3 ? 4 : len === 2 ? 2 : 0) + (t.digitsAfter ? 1.5 : 0) + (i === last ? 1 : 0)
      if (score > bestScore) {
        best = {token: t, label: i}
        bestScore = score
      }
    }
  }
  return best
}

/**
 * Operators whose site position is fixed by a pattern (Arelion, Microsoft). The site token alone
 * is read: a listed operator code, else (for an operator whose codes are generic) its own IATA /
 * LOCODE / CLLI readings in the site position, else a site code with the place unknown.
 */
function operatorSite(op: OperatorRule, host: string[]): Candidate[] | null {
  const joined = host.join('.').toLowerCase() + '.'
  const m = new RegExp(op.site!.source, 'd').exec(joined)
  const site = m?.groups?.site
  if (!site) return null
  // the token as written: the site code and the number after it ("sto31", "ffm")
  const at = m!.indices!.groups!.site!
  const raw = joined.slice(at[0], at[1]) + (/^[0-9]*/.exec(joined.slice(at[1]))?.[0] ?? '')
  // own keys only: a site "constructor" must not find Object.prototype's
  const known = op.known !== undefined && Object.hasOwn(op.known, site) ? op.known[site] : undefined
  if (known) return [fromPlace(site, 'operator', raw, known, 0.85, `${op.name} convention: ${known.source}`)]
  if (op.codes !== 'operator') {
    const read: Candidate[] = []
    for (const r of readingsOf(site)) {
      if (r.soft || !allowed(op, r.codeType)) continue
      const {soft: _s, ...rest} = r
      read.push({...rest, token: raw, confidence: clamp(r.confidence + POS_SITE + DIGITS_BONUS), note: `${r.note}, in ${op.name}'s site position`})
    }
    if (read.length > 0) return dedupe(read)
  }
  return [placeless(site, 'operator', raw, 0.6, `${op.name} site mnemonic ${site}; place not published`, op.country ?? null)]
}

function dedupe(list: Candidate[]): Candidate[] {
  if (list.length < 2) return list
  list.sort((a, b) => b.confidence - a.confidence)
  const out: Candidate[] = []
  for (const c of list) {
    let dup = false
    for (const o of out) {
      if (o.code === c.code && o.codeType === c.codeType && o.city === c.city && o.country === c.country && o.region === c.region) {
        dup = true
        break
      }
    }
    if (!dup) out.push(c)
  }
  return out
}
