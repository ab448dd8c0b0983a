// `--from` specs: where a measurement runs. Parsing only (no I/O except reading an @FILE), so the
// grammar is tested on its own:
//
//   local                              this host (the default)
//   netns:NAME[,NAME...]               Linux network namespaces (ip netns exec)
//   ssh:[user@]host[:port][,...]       hosts over the system ssh (host may be [v6addr])
//   atlas:SELECTOR                     RIPE Atlas probes (the selector is the Atlas backend's business)
//   globalping:LOC[,...][,limit=N]     Globalping probes (the spec is ./globalping/locations.ts's business)
//   @FILE                              one of the above per line; # starts a comment
//
// Several --from values add up; a vantage point named twice is measured once. A list that repeats
// its own kind's prefix (netns:a,netns:b; atlas:country=DE,atlas:country=FR) reads as the specs
// written apart, since no item of that kind can start so, except globalping:, whose list is one
// measurement (globalping:DE,globalping:FR,limit=5 is globalping:DE,FR,limit=5: 5 probes in all,
// as Globalping's own limit for several locations; joinGlobalpingList says which such lists are
// refused as ambiguous, and that a msm= body stays a measurement of its own). An atlas: list whose last selection alone has
// n=, tags= or exclude= (atlas:country=DE,atlas:country=FR,n=5) is a usage error: whose option it
// is cannot be told; another kind's prefix inside a list
// (netns:a,ssh:b) is a usage error that says to give each kind its own --from. A bad spec is a usage
// error (E_USAGE, exit 2) that quotes the spec and says what was expected; an @FILE that cannot be
// read is E_BAD_INPUT (exit 2).
import {AnyprobeError, EXIT} from '../model/errors.js'
import {selectorOptionKeys} from './atlas/selector.js'
import {parseGlobalpingSelector} from './globalping/locations.js'
import {readFileCapped, TooLargeError} from '../util/read-capped.js'
import {sanitize} from '../util/sanitize.js'

export interface LocalSpec {
  kind: 'local'
}
export interface NetnsSpec {
  kind: 'netns'
  name: string
}
export interface SshSpec {
  kind: 'ssh'
  user: string | null
  host: string
  port: number | null
  /** what the vantage point is called: user@host, plus :port when given */
  id: string
}
export interface AtlasSpec {
  kind: 'atlas'
  selector: string
}
export interface GlobalpingSpec {
  kind: 'globalping'
  selector: string
}
export type VantageSpec = LocalSpec | NetnsSpec | SshSpec | AtlasSpec | GlobalpingSpec

export const FROM_SYNTAX = 'local | netns:NAME[,NAME...] | ssh:[user@]host[:port][,...] | atlas:SELECTOR | globalping:LOC[,LOC...][,limit=N] | @FILE'

// ip-netns(8) names become file names under /run/netns: no slash, no leading dot or dash
const NETNS_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/
const SSH_USER = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/
// a host name or IPv4 address; never starting with '-' (ssh would read it as an option)
const SSH_HOST = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,252})$/
const SSH_HOST6 = /^[0-9A-Fa-f:.]+(?:%[A-Za-z0-9_.-]+)?$/

function bad(spec: string, why: string, hint: string = `write --from as ${FROM_SYNTAX}`): AnyprobeError {
  return new AnyprobeError('E_USAGE', `--from "${sanitize(spec, 200)}": ${why}`, {hint, exitCode: EXIT.usage})
}

function parseSshHost(item: string, spec: string): SshSpec {
  let rest = item
  let user: string | null = null
  const at = rest.lastIndexOf('@')
  if (at >= 0) {
    user = rest.slice(0, at)
    rest = rest.slice(at + 1)
    if (!SSH_USER.test(user)) throw bad(spec, `"${sanitize(user, 80)}" is not a user name`)
  }
  let host: string
  let portText: string | null = null
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']')
    if (close < 0) throw bad(spec, `"${sanitize(rest, 80)}" has no closing ]`, 'write an IPv6 host as ssh:[2001:db8::1]:22')
    host = rest.slice(1, close)
    const after = rest.slice(close + 1)
    if (after !== '') {
      if (!after.startsWith(':')) throw bad(spec, `unexpected "${sanitize(after, 80)}" after ]`)
      portText = after.slice(1)
    }
    if (!SSH_HOST6.test(host) || !host.includes(':')) throw bad(spec, `"${sanitize(host, 80)}" is not an IPv6 address`)
  } else {
    const colons = rest.split(':').length - 1
    if (colons > 1) throw bad(spec, `"${sanitize(rest, 80)}" looks like an IPv6 address without brackets`, 'write an IPv6 host as ssh:[2001:db8::1] or ssh:user@[2001:db8::1]:2222')
    const c = rest.indexOf(':')
    host = c < 0 ? rest : rest.slice(0, c)
    portText = c < 0 ? null : rest.slice(c + 1)
    if (!SSH_HOST.test(host)) throw bad(spec, host === '' ? 'a host is missing' : `"${sanitize(host, 80)}" is not a host name or address`)
  }
  let port: number | null = null
  if (portText !== null) {
    port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN
    if (!(port >= 1 && port <= 65_535)) throw bad(spec, `port "${sanitize(portText, 20)}" is not 1-65535`)
  }
  const hostPart = host.includes(':') ? `[${host}]` : host
  const id = `${user === null ? '' : `${user}@`}${hostPart}${port === null ? '' : `:${port}`}`
  return {kind: 'ssh', user, host, port, id}
}

function list(spec: string, body: string, what: string): string[] {
  const items = body.split(',').map((s) => s.trim())
  if (items.length === 0 || items.some((s) => s === '')) throw bad(spec, `an empty ${what} in the list`)
  return items
}

const KINDS = ['local', 'netns', 'ssh', 'atlas', 'globalping'] as const
const KIND_PREFIX = new RegExp(`^(${KINDS.join('|')}):`)

/**
 * The bodies a list body holds when items repeat a kind prefix: "a,netns:b" of netns gives ["a", "b"].
 * An item with this kind's prefix starts the next body; another kind's prefix is an error. For ssh,
 * "KIND:PORT" (digits) is a host called so with its port, as it always was, not a prefix.
 */
function splitRepeated(spec: string, kind: string, body: string): string[] {
  const bodies: string[][] = [[]]
  for (const item of body.split(',')) {
    const t = item.trim()
    const m = KIND_PREFIX.exec(t)
    if (m === null || (kind === 'ssh' && /^\d+$/.test(t.slice(m[0].length)))) {
      bodies.at(-1)!.push(item)
      continue
    }
    if (m[1] !== kind) {
      throw bad(spec, `"${sanitize(t, 80)}" inside the ${kind}: list is another kind of vantage point`, `give each kind its own --from: --from ${kind}:... --from ${sanitize(t, 80)}`)
    }
    // the prefix written twice at the start (netns:netns:a) is the one spec
    if (bodies.at(-1)!.length === 0) bodies.at(-1)!.push(t.slice(m[0].length))
    else bodies.push([t.slice(m[0].length)])
  }
  return bodies.map((b) => b.join(','))
}

/** One spec (no @FILE). */
export function parseOneSpec(raw: string): VantageSpec[] {
  const spec = raw.trim()
  if (spec === '') throw bad(raw, 'empty spec')
  if (spec === 'local') return [{kind: 'local'}]
  // "local,netns:a" read as the unknown kind "local,netns": local is a spec of its own
  const rest = /^local\s*,\s*(.*)$/.exec(spec)
  if (rest) throw bad(spec, '"local" is a vantage point of its own, not a list', `give each kind its own --from: --from local --from ${sanitize(rest[1]!, 80)}`)
  const colon = spec.indexOf(':')
  const kind = colon < 0 ? spec : spec.slice(0, colon)
  const whole = colon < 0 ? '' : spec.slice(colon + 1)
  if (colon >= 0 && (KINDS as readonly string[]).includes(kind) && kind !== 'local') {
    const bodies = splitRepeated(spec, kind, whole)
    if (kind === 'globalping' && bodies.length > 1) return joinGlobalpingList(spec, bodies)
    if (kind === 'atlas') refuseTrailingAtlasOption(spec, bodies)
    return bodies.flatMap((b) => parseBody(spec, kind, b))
  }
  return parseBody(spec, kind, whole)
}

/**
 * An atlas: list whose last selection alone has n=, tags= or exclude= (atlas:country=DE,atlas:country=FR,n=5)
 * is refused: each selection is its own Atlas measurement with its own requested count (Atlas has
 * no count "in all"), and a trailing n=5 reads as 5 each, or as 5 in all as a globalping: list's
 * limit=5 does, or as FR's alone (what it was: DE ran at the default 10). Credits are spent on
 * whichever is guessed, so the user writes it per selection.
 */
function refuseTrailingAtlasOption(spec: string, bodies: readonly string[]): void {
  if (bodies.length < 2) return
  const last = bodies.at(-1)!
  for (const key of selectorOptionKeys(last)) {
    if (bodies.slice(0, -1).every((b) => selectorOptionKeys(b).includes(key))) continue
    const value = last.split(',').find((p) => p.split('=')[0]!.trim().toLowerCase() === key)!.trim()
    const each = bodies.map((b) => `atlas:${selectorOptionKeys(b).includes(key) ? b.trim() : `${b.trim()},${value}`}`).join(',')
    throw bad(
      spec,
      `${key}= after the last atlas: selection is ambiguous: each selection is its own RIPE Atlas measurement, and ${sanitize(value, 40)} may mean that one's, each one's, or all of them together`,
      `write ${key}= in each selection, e.g. --from ${sanitize(each, 200)} (or one --from per selection)`,
    )
  }
}

const optionKey = (item: string): string | null => (item.includes('=') ? item.split('=')[0]!.trim().toLowerCase() : null)
const optionItems = (body: string): string[] => body.split(',').map((s) => s.trim()).filter((s) => optionKey(s) !== null)

/**
 * A globalping: list that repeats its prefix is one measurement whatever prefixes it repeats: its
 * limit=N (Globalping's measurement limit, N probes in all) and tool= are the whole list's, as in
 * globalping:DE,FR,limit=5 (globalping:DE,globalping:FR,limit=5 was DE at the default 10 and FR at 5).
 * Refused, since what was meant cannot be told: options after more than one globalping:
 * (globalping:DE,limit=5,globalping:FR,limit=5 was 5 from each; joined it would be 5 in all),
 * options before the last globalping: (globalping:DE,limit=5,globalping:FR was DE at 5 and FR at
 * 10), a globalping: with nothing after it (globalping:DE,globalping: was DE and the world apart;
 * joined it would be an empty location), and one with only options (globalping:DE,globalping:limit=5:
 * alone limit=5 is the world at 5; joined it would be DE at 5). A msm= body stays a measurement of its own, as it always was: it
 * takes no locations and no limit, so it cannot join the list and means one thing only. Each body
 * and the joined list are checked here, so an error quotes the spec as the user wrote it.
 */
function joinGlobalpingList(spec: string, raw: readonly string[]): GlobalpingSpec[] {
  const bodies = raw.map((b) => b.trim())
  if (bodies.includes('')) {
    const union = bodies.map((b) => (b === '' ? 'world' : b)).join(',')
    const each = bodies.map((b) => `--from globalping:${b}`).join(' ')
    throw bad(
      spec,
      'a globalping: with nothing after it inside the list: alone it is the world, but the list is one Globalping measurement and an empty location in it means nothing',
      `for the world as one more location, --from ${sanitize(`globalping:${union}`, 200)}; for each its own measurement, ${sanitize(each, 300)}`,
    )
  }
  for (const b of bodies) parseGlobalpingSelector(b, spec)
  const isOwn = bodies.map((b) => optionItems(b).some((o) => optionKey(o) === 'msm'))
  const list = bodies.filter((_, i) => !isOwn[i])
  const locationsOf = (b: string): string[] => b.split(',').map((s) => s.trim()).filter((s) => optionKey(s) === null)
  const options = list.flatMap(optionItems)
  const keys = [...new Set(options.map((o) => optionKey(o)!))]
  const placeholder: Record<string, string> = {limit: 'N', tool: 'mtr|traceroute'}
  const once = keys.map((k) => {
    const values = new Set(options.filter((o) => optionKey(o) === k).map((o) => o.slice(o.indexOf('=') + 1).trim()))
    return values.size === 1 ? `${k}=${[...values][0]}` : `${k}=${placeholder[k] ?? 'VALUE'}`
  })
  if (list.length > 1 && list.some((b) => locationsOf(b).length === 0)) {
    // alone, a body of options only is the world with them (as an empty one is the world)
    const withWorld = list.flatMap((b) => (locationsOf(b).length === 0 ? ['world'] : locationsOf(b)))
    const locations = list.flatMap(locationsOf)
    throw bad(
      spec,
      `a globalping: with only options (${sanitize(options.join(', '), 120)}) inside the list: alone it is the world, but the list is one Globalping measurement and its options are the whole list's`,
      `for the world as one more location, --from ${sanitize(`globalping:${[...withWorld, ...once].join(',')}`, 200)}; for ${sanitize(locations.join(','), 120)} alone, --from ${sanitize(`globalping:${[...locations, ...once].join(',')}`, 200)}`,
    )
  }
  const withOptions = list.filter((b) => optionItems(b).length > 0)
  // the list's options are written once, in its last part; anywhere else they read as that part's own
  if (withOptions.length > 1 || (withOptions.length === 1 && withOptions[0] !== list.at(-1))) {
    const each = list.map((b) => `--from globalping:${b}`).join(' ')
    const whole = `--from globalping:${[...list.flatMap(locationsOf), ...once].join(',')}`
    // "N from each" only when each part has the same options; otherwise each --from is as written
    const sameEach = new Set(list.map((b) => optionItems(b).sort().join(','))).size === 1
    const forEach = !sameEach ? 'each as written' : keys.includes('limit') ? 'for N from each' : 'for a measurement each'
    const forAll = keys.includes('limit') ? 'for N in all' : 'for one measurement'
    const why =
      withOptions.length > 1
        ? `options after more than one globalping: (${sanitize(options.join(', '), 120)}) are ambiguous: the list is one Globalping measurement with one set of options, and a globalping: with its own reads as a measurement of its own`
        : `options before the last globalping: (${sanitize(options.join(', '), 120)}) are ambiguous: the list is one Globalping measurement whose options are written once at its end, and options before another globalping: read as that one's alone`
    throw bad(spec, why, `${forEach}, one --from each: ${sanitize(each, 300)}; ${forAll}, the options once at the end: ${sanitize(whole, 300)}`)
  }
  const out: GlobalpingSpec[] = []
  const joined = list.join(',')
  if (list.length > 0) parseGlobalpingSelector(joined, spec)
  // the list where its first body was, each msm= body where it was
  const first = isOwn.indexOf(false)
  bodies.forEach((b, i) => {
    if (isOwn[i]) out.push({kind: 'globalping', selector: b})
    else if (i === first) out.push({kind: 'globalping', selector: joined})
  })
  return out
}

function parseBody(spec: string, kind: string, body: string): VantageSpec[] {
  const colon = spec.indexOf(':')
  switch (kind) {
    case 'netns': {
      return list(spec, body, 'namespace name').map((name) => {
        if (!NETNS_NAME.test(name)) throw bad(spec, `"${sanitize(name, 80)}" is not a network namespace name`, 'list the namespaces with: ip netns list')
        return {kind: 'netns', name}
      })
    }
    case 'ssh':
      return list(spec, body, 'host').map((item) => parseSshHost(item, spec))
    case 'atlas': {
      // an empty selector is the Atlas backend's default (area=WW,n=10); the backend checks the syntax
      return [{kind: 'atlas', selector: body.trim()}]
    }
    case 'globalping':
      // empty = world,limit=10; the backend checks the syntax
      return [{kind: 'globalping', selector: body.trim()}]
    default:
      if (colon < 0 && NETNS_NAME.test(spec)) {
        throw bad(spec, `unknown vantage point "${sanitize(spec, 80)}"`, `did you mean netns:${spec} or ssh:${spec}? (${FROM_SYNTAX})`)
      }
      throw bad(spec, `unknown kind "${sanitize(kind, 40)}"`)
  }
}

/** The most of an @FILE read: ~100 000 specs of ~40 bytes; more is a wrong path (e.g. /dev/zero). */
export const MAX_SPEC_FILE_BYTES = 4 << 20

export interface ParseFromOptions {
  /** reads an @FILE (tests inject one); default readFileSync utf8 */
  readFile?: (path: string) => string
}

/** The lines of an @FILE: comments (#...) and blank lines dropped. */
export function specFileLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.replace(/(^|\s)#.*$/, '').trim())
    .filter((l) => l !== '')
}

/**
 * All --from values, flattened, in the order given, duplicates dropped. No values means local.
 * Throws AnyprobeError E_USAGE (bad spec) or E_BAD_INPUT (unreadable @FILE).
 */
export function parseFrom(values: readonly string[] | undefined, opts: ParseFromOptions = {}): VantageSpec[] {
  const readFile = opts.readFile ?? ((p: string) => readFileCapped(p, MAX_SPEC_FILE_BYTES))
  const out: VantageSpec[] = []
  const seen = new Set<string>()
  const add = (s: VantageSpec): void => {
    const key = specKey(s)
    if (seen.has(key)) return
    seen.add(key)
    out.push(s)
  }
  for (const value of values ?? []) {
    const v = value.trim()
    if (!v.startsWith('@')) {
      for (const s of parseOneSpec(v)) add(s)
      continue
    }
    const path = v.slice(1)
    if (path === '') throw bad(v, 'no file name after @', 'write --from @vantage-points.txt (one spec per line)')
    let text: string
    try {
      text = readFile(path)
    } catch (e) {
      if (e instanceof TooLargeError) {
        throw new AnyprobeError('E_BAD_INPUT', `--from @${sanitize(path, 200)}: the file is larger than ${MAX_SPEC_FILE_BYTES >> 20} MiB; only that much is read`, {
          hint: 'a vantage point list is one spec per line; check the path (a device or a pipe that never ends?)',
          exitCode: EXIT.usage,
        })
      }
      throw new AnyprobeError('E_BAD_INPUT', `--from @${sanitize(path, 200)}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, {
        hint: 'give a readable file with one vantage point spec per line',
        exitCode: EXIT.usage,
      })
    }
    const lines = specFileLines(text)
    if (lines.length === 0) throw bad(v, 'the file lists no vantage point', `write one spec per line: ${FROM_SYNTAX}`)
    for (const line of lines) {
      if (line.startsWith('@')) throw bad(line, `an @FILE inside @${sanitize(path, 200)} (files do not nest)`, 'list the vantage points themselves in the file')
      for (const s of parseOneSpec(line)) add(s)
    }
  }
  return out.length === 0 ? [{kind: 'local'}] : out
}

export function specKey(s: VantageSpec): string {
  switch (s.kind) {
    case 'local':
      return 'local'
    case 'netns':
      return `netns:${s.name}`
    case 'ssh':
      return `ssh:${s.id}`
    case 'atlas':
      return `atlas:${s.selector}`
    case 'globalping':
      return `globalping:${s.selector}`
  }
}

/** True when the specs are exactly "this host": the commands then run as they always did. */
export function isLocalOnly(specs: readonly VantageSpec[]): boolean {
  return specs.length === 1 && specs[0]!.kind === 'local'
}
