// Split one DNS label into tokens: on '-', '_' and other punctuation, at letter/digit boundaries,
// and at CamelCase humps; also join neighbouring parts so spelled multi-word cities are found
// ("nto-new-york" -> "newyork", "sv1-santa-clara" -> "santaclara"). Memoised per label shape:
// digits are collapsed in the memo key ("fra03" and "fra17" share one analysis), so tokens record
// where they are (part indexes) and the text as written is recovered from the real label.
import {countryFromKey, regionsForToken, type Region} from '../geo/countries.js'
import {readingsOf, type Reading} from './codes.js'
import {boundedMemo} from '../util/memo.js'
import {CITY_PREFIXES, IFACE, STOP} from './vocab.js'

export type TokenKind = 'run' | 'camel' | 'join'

export interface Token {
  /** lower-case letters, e.g. "fra", "losangeles", "newyork" */
  text: string
  /** the parts of the label it spans (split on punctuation); recover the text with `tokenRaw` */
  part: number
  partEnd: number
  kind: TokenKind
  /** letters directly followed by digits ("fra03", "ash1"): the usual shape of a site code */
  digitsAfter: boolean
  /**
   * letters after digits in one part ("agr" of IIJ's "osk008agr02", "aw" of "nycmny837aw"): the
   * site code leads a label; what follows a number is a role, a building or a serial
   */
  digitsBefore?: boolean
  /**
   * a word of 4+ letters follows across a number in the same part ("hcr" of Charter's
   * "hcr01snaxtx40"): a long site code after the role number, so the leading letters are the role
   * (a short word after the number is the role instead: IIJ's "osk008agr02")
   */
  wordAfterNumber?: boolean
  /** the token's readings, context-free, most confident first */
  readings: Reading[]
}

export interface LabelInfo {
  label: string
  tokens: Token[]
  /** the regions this label names when it is a bare 2-letter country / state code ("nl", "ca") */
  regions: Region[] | null
  /** countries spelled out in the label ("canada") */
  countryNames: string[]
  /** highest confidence among the readings */
  best: number
  /** starts with an interface name ("ae1-0", "xe-0-0-1", "100ge0-35"): the interface/role label */
  iface: boolean
  /** only digits ("1" of an embedded address "unn-1.2.3.4") */
  numeric: boolean
}


const SPLIT = /[^A-Za-z0-9]+/
const DIGIT_RUNS = /[0-9]+/g
const RUNS = /[A-Za-z]+|[0-9]+/g
const CAMEL = /(?<=[a-z])(?=[A-Z])/
const HAS_CAMEL = /[a-z][A-Z]/
const PART_LETTERS = /^([A-Za-z]+)[0-9]*$/

const analysed = boundedMemo(100_000, (key) => analyse(key))

export function labelInfo(label: string): LabelInfo {
  return analysed(label.replace(DIGIT_RUNS, '0'))
}

/** The parts of a label, as `Token.part` indexes them. */
export function labelParts(label: string): string[] {
  return label.split(SPLIT).filter((p) => p.length > 0)
}

/** The text of the input that carried a token, as written: "fra03", "LosAngeles9", "new-york". */
export function tokenRaw(parts: string[], t: Token): string {
  return t.part === t.partEnd ? parts[t.part]! : parts.slice(t.part, t.partEnd + 1).join('-')
}

const CC_PART = /^[A-Za-z]{2}$/
const LOC_PART = /^([A-Za-z]{3})[0-9]*$/

/**
 * "nl-ams", "cn-ggz", "es-bcn": a country code then a 3-letter location is a UN/LOCODE written
 * with a dash (K-root, L-root and many operators). The pair is one code: read it as the LOCODE
 * and drop the location's own reading, which would call it an IATA code (and "ggz" has none).
 * Only pairs the LOCODE rules place in that very country are taken, so "ae-1" or "ge-xe" are not.
 */
function locodePairs(parts: string[], tokens: Token[], runTokensByPart: Token[][]): void {
  for (let i = 0; i + 1 < parts.length; i++) {
    if (!CC_PART.test(parts[i]!)) continue
    const loc = LOC_PART.exec(parts[i + 1]!)
    if (loc === null) continue
    const text = (parts[i]! + loc[1]!).toLowerCase()
    const readings = readingsOf(text).filter((r) => r.codeType === 'locode')
    if (readings.length === 0) continue
    for (const t of runTokensByPart[i + 1]!) t.readings = []
    tokens.push({text, part: i, partEnd: i + 1, kind: 'join', digitsAfter: loc[0].length > 3, readings})
  }
}

function analyse(label: string): LabelInfo {
  const parts = labelParts(label)
  const tokens: Token[] = []
  const countryNames: string[] = []
  const runTokensByPart: Token[][] = parts.map(() => [])
  for (let pi = 0; pi < parts.length; pi++) {
    const part = parts[pi]!
    const runs = part.match(RUNS) ?? []
    for (let ri = 0; ri < runs.length; ri++) {
      const run = runs[ri]!
      const c0 = run.charCodeAt(0)
      if (c0 >= 48 && c0 <= 57) continue // digits
      const text = run.toLowerCase()
      const digitsAfter = ri + 1 < runs.length
      // "60hudson", "350ecermak": a street address (a facility), not the city of that name; but a
      // CLLI code after a role number is the site ("bbr01dllstx", "mcr11rochnyei" of Charter)
      const address = ri > 0 && text.length >= 4
      const t: Token = {text, part: pi, partEnd: pi, kind: 'run', digitsAfter, readings: address ? readingsOf(text).filter((r) => r.codeType === 'clli') : readingsOf(text)}
      if (ri > 0) t.digitsBefore = true
      for (let k = ri + 2; k < runs.length; k += 2) if (runs[k]!.length >= 4) t.wordAfterNumber = true
      tokens.push(t)
      runTokensByPart[pi]!.push(t)
      if (text.length >= 4 && !STOP.has(text)) {
        const cc = countryFromKey(text)
        if (cc) {
          countryNames.push(cc)
          // "canada" names the country here, not the hamlet Cañada; a city-state keeps its city
          const big = t.readings.find((r) => r.codeType === 'city' && r.country === cc && r.confidence >= 0.7)
          t.readings = big ? [big] : []
        }
      }
      if (HAS_CAMEL.test(run)) {
        const subs = run.split(CAMEL)
        for (const sub of subs) {
          if (sub.length < 4) continue
          const st = sub.toLowerCase()
          const readings = readingsOf(st)
            .filter((r) => r.codeType === 'city')
            .map((r) => ({...r, confidence: r.confidence - 0.1}))
          if (readings.length) tokens.push({text: st, part: pi, partEnd: pi, kind: 'camel', digitsAfter: false, readings})
        }
        // capitalised words spell one name together after a lower-case prefix: "chiNewYork1" is
        // New York, not York; "xLosAngeles" Los Angeles. The run itself is read above.
        for (let i = 1; i < subs.length; i++) {
          for (let j = i + 2; j <= Math.min(subs.length, i + 3); j++) {
            if (i === 0 && j === subs.length) continue
            const st = subs.slice(i, j).join('').toLowerCase()
            const readings = readingsOf(st)
              .filter((r) => r.codeType === 'city')
              .map((r) => ({...r, confidence: r.confidence - 0.05}))
            if (readings.length) tokens.push({text: st, part: pi, partEnd: pi, kind: 'camel', digitsAfter: j === subs.length && ri + 1 < runs.length, readings})
          }
        }
      }
    }
  }
  // joins of 2-3 neighbouring parts that are letters (optionally followed by digits)
  if (parts.length > 1) {
    // a role or interface word ("cr0-ema1") does not start or continue a city name ("crema")
    const letters = parts.map((p) => {
      const l = PART_LETTERS.exec(p)?.[1]?.toLowerCase() ?? null
      return l !== null && STOP.has(l) && !CITY_PREFIXES.has(l) ? null : l
    })
    for (let i = 0; i < parts.length - 1; i++) {
      let text = letters[i]
      if (text == null) continue
      for (let j = i + 1; j < Math.min(parts.length, i + 3); j++) {
        const next = letters[j]
        if (next == null) break
        text += next
        const readings = readingsOf(text).filter((r) => r.codeType === 'city')
        if (readings.length === 0) continue
        tokens.push({text, part: i, partEnd: j, kind: 'join', digitsAfter: false, readings})
        // "los-angeles", "san-jose", "sao-paulo": the words alone are not codes or other cities here
        if (readings[0]!.confidence >= 0.7) {
          for (let k = i; k <= j; k++) for (const t of runTokensByPart[k]!) t.readings = []
        } else if (readings[0]!.confidence >= 0.6) {
          for (let k = i; k <= j; k++) {
            for (const t of runTokensByPart[k]!) if (CITY_PREFIXES.has(t.text)) t.readings = []
          }
        }
      }
    }
  }
  locodePairs(parts, tokens, runTokensByPart)
  const best = bestConfidence(tokens)
  // a bare 2-letter label is a country / state, unless it is an infrastructure word ("bb", "ae", "cr")
  const regions = /^[A-Za-z]{2}$/.test(label) && !STOP.has(label.toLowerCase()) ? regionsForToken(label) : null
  return {
    label,
    tokens,
    regions: regions !== null && regions.length > 0 ? regions : null,
    countryNames,
    best,
    iface: tokens.length > 0 && IFACE.has(tokens[0]!.text),
    numeric: /^[0-9]+$/.test(label),
  }
}

/**
 * The label's analysis without the tokens that touch the given parts (random.ts: a random suffix,
 * a hash): they are neither places nor site codes. A copy: the memo's analysis is shared.
 */
/** A label's best reading (LabelInfo.best): soft readings count only on a token with digits after it. */
export function bestConfidence(tokens: readonly Token[]): number {
  let best = 0
  for (const t of tokens) for (const r of t.readings) if (r.confidence > best && (!r.soft || t.digitsAfter)) best = r.confidence
  return best
}

export function withoutParts(info: LabelInfo, parts: readonly number[]): LabelInfo {
  const drop = (t: Token): boolean => parts.some((p) => p >= t.part && p <= t.partEnd)
  const tokens = info.tokens.filter((t) => !drop(t))
  const best = bestConfidence(tokens)
  return {...info, tokens, best, countryNames: tokens.length === 0 ? [] : info.countryNames, iface: tokens.length > 0 && IFACE.has(tokens[0]!.text)}
}
