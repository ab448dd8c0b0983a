// The compact probe selector of `atlas:SELECTOR` and how it maps to the `probes` array of an Atlas
// measurement request ([{type, value, requested}], the six request types of the API manual:
// area, country, asn, prefix, probes, msm).
//
//   atlas:country=NL,n=20        20 probes in the Netherlands
//   atlas:area=WW,n=50           WW, West, North-Central, South-Central, North-East, South-East
//   atlas:asn=3320,n=10          probes in AS3320 ("AS3320" is accepted too)
//   atlas:prefix=193.0.0.0/16,n=5
//   atlas:probes=1001,1002       exactly these probes (n defaults to how many are listed)
//   atlas:msm=12345              the probes of an earlier measurement
//   ...,tags=system-ipv4-works   only probes with these tags (several: tags=a+b); exclude=... likewise
//
// `atlas` or `atlas:` alone means area=WW,n=10.
import ipaddr from 'ipaddr.js'

import {AnyprobeError, EXIT} from '../../model/errors.js'

export const DEFAULT_PROBE_COUNT = 10
/** Atlas refuses more than 1000 probes per measurement. */
export const MAX_PROBES = 1000

export const AREAS = ['WW', 'West', 'North-Central', 'South-Central', 'North-East', 'South-East'] as const
export type AtlasArea = (typeof AREAS)[number]

export type ProbeRequestType = 'area' | 'country' | 'asn' | 'prefix' | 'probes' | 'msm'

/** One element of the `probes` array of POST /measurements/. */
export interface AtlasProbeRequest {
  type: ProbeRequestType
  value: string | number
  requested: number
  tags?: {include?: string[]; exclude?: string[]}
}

export interface AtlasSelector {
  /** the selector as given, normalised (e.g. "country=NL,n=20") */
  spec: string
  request: AtlasProbeRequest
  /** the probe ids when the selector names them */
  probeIds: number[] | null
}

export const SELECTOR_SYNTAX =
  'atlas:country=NL,n=20 | atlas:area=WW,n=50 (WW, West, North-Central, South-Central, North-East, South-East) | ' +
  'atlas:asn=3320,n=10 | atlas:prefix=193.0.0.0/16,n=5 | atlas:probes=1001,1002 | atlas:msm=12345; ' +
  `n defaults to ${DEFAULT_PROBE_COUNT}; add tags=a+b or exclude=a+b to filter by probe tags`

function bad(message: string): AnyprobeError {
  return new AnyprobeError('E_USAGE', message, {hint: `RIPE Atlas selectors look like ${SELECTOR_SYNTAX}`, exitCode: EXIT.usage})
}

function positiveInt(text: string, what: string, max: number): number {
  if (!/^[0-9]{1,10}$/.test(text)) throw bad(`${what} "${text}" is not a positive whole number`)
  const n = Number(text)
  if (n < 1 || n > max) throw bad(`${what} ${n} is out of range (1..${max})`)
  return n
}

function tagList(text: string, what: string): string[] {
  const tags = text.split('+').map((t) => t.trim().toLowerCase())
  for (const t of tags) if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(t)) throw bad(`${what} tag "${t}" is not a probe tag slug`)
  return tags
}

/** The keys that qualify a selection rather than choose its probes: how many, and which tags. */
export const SELECTOR_OPTION_KEYS = ['n', 'tags', 'exclude'] as const

/** The option keys (n, tags, exclude) a selector text writes, lower case, in SELECTOR_OPTION_KEYS order; no checking. */
export function selectorOptionKeys(text: string): string[] {
  const keys = new Set(text.split(',').map((p) => p.split('=')[0]!.trim().toLowerCase()))
  return SELECTOR_OPTION_KEYS.filter((k) => keys.has(k))
}

/** Parse `atlas:SELECTOR` (the "atlas:" prefix is optional). Throws E_USAGE with the syntax as hint. */
export function parseAtlasSelector(input: string): AtlasSelector {
  let text = input.trim()
  if (/^atlas(:|$)/i.test(text)) text = text.replace(/^atlas:?/i, '')
  text = text.trim()
  if (text === '') text = `area=WW`

  let kind = null as ProbeRequestType | null
  let value: string | number = ''
  let probeIds: number[] | null = null
  let n: number | null = null
  let include: string[] | undefined
  let exclude: string[] | undefined
  let inProbeList = false

  for (const raw of text.split(',')) {
    const part = raw.trim()
    if (part === '') throw bad(`empty item in selector "${input}"`)
    const eq = part.indexOf('=')
    if (eq < 0) {
      // a bare number continues a probes= list: probes=1001,1002
      if (inProbeList) {
        probeIds!.push(positiveInt(part, 'probe id', 2 ** 31 - 1))
        continue
      }
      throw bad(`"${part}" in selector "${input}" is not key=value`)
    }
    const key = part.slice(0, eq).trim().toLowerCase()
    const val = part.slice(eq + 1).trim()
    inProbeList = false
    if (val === '') throw bad(`${key}= needs a value`)
    const setKind = (k: ProbeRequestType): void => {
      if (kind !== null) throw bad(`selector "${input}" names both ${kind}= and ${k}=; use one kind of selection`)
      kind = k
    }
    switch (key) {
      case 'country': {
        setKind('country')
        if (!/^[A-Za-z]{2}$/.test(val)) throw bad(`country "${val}" is not a two-letter ISO 3166 code (like NL, US, JP)`)
        value = val.toUpperCase()
        break
      }
      case 'area': {
        setKind('area')
        const area = AREAS.find((a) => a.toLowerCase() === val.toLowerCase())
        if (!area) throw bad(`area "${val}" is not one of ${AREAS.join(', ')}`)
        value = area
        break
      }
      case 'asn': {
        setKind('asn')
        value = positiveInt(val.replace(/^as/i, ''), 'ASN', 4_294_967_295)
        break
      }
      case 'prefix': {
        setKind('prefix')
        let cidr: [ipaddr.IPv4 | ipaddr.IPv6, number]
        try {
          cidr = ipaddr.parseCIDR(val)
        } catch {
          throw bad(`prefix "${val}" is not an IP prefix like 193.0.0.0/16 or 2001:db8::/32`)
        }
        value = `${cidr[0].toString()}/${cidr[1]}`
        break
      }
      case 'probes':
      case 'probe': {
        setKind('probes')
        probeIds = [positiveInt(val, 'probe id', 2 ** 31 - 1)]
        inProbeList = true
        break
      }
      case 'msm': {
        setKind('msm')
        value = positiveInt(val, 'measurement id', 2 ** 31 - 1)
        break
      }
      case 'n': {
        if (n !== null) throw bad('n= given twice')
        n = positiveInt(val, 'probe count n', MAX_PROBES)
        break
      }
      case 'tags': {
        include = tagList(val, 'tags=')
        break
      }
      case 'exclude': {
        exclude = tagList(val, 'exclude=')
        break
      }
      default:
        throw bad(`unknown selector key "${key}"`)
    }
  }

  if (kind === null) kind = 'area'
  if (kind === 'area' && value === '') value = 'WW'
  if (kind === 'probes') {
    const ids = [...new Set(probeIds!)]
    if (ids.length > MAX_PROBES) throw bad(`${ids.length} probes listed; Atlas allows at most ${MAX_PROBES} per measurement`)
    probeIds = ids
    value = ids.join(',')
    if (n !== null && n > ids.length) throw bad(`n=${n} asks for more probes than the ${ids.length} listed`)
  }
  const requested = n ?? (kind === 'probes' ? probeIds!.length : DEFAULT_PROBE_COUNT)
  const request: AtlasProbeRequest = {type: kind, value, requested}
  if (include || exclude) request.tags = {...(include ? {include} : {}), ...(exclude ? {exclude} : {})}

  const spec = [
    `${kind}=${value}`,
    ...(kind === 'probes' && n === null ? [] : [`n=${requested}`]),
    ...(include ? [`tags=${include.join('+')}`] : []),
    ...(exclude ? [`exclude=${exclude.join('+')}`] : []),
  ].join(',')
  return {spec, request, probeIds}
}
