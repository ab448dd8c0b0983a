// Readings a token gains from the country its name is in: a 3-4-letter abbreviation of one of that
// country's cities that is no airport code ("kra" of Orange Polska's "kra-bng2.neo.tpnet.pl",
// Kraków; "kazn" of Rostelecom's "kazn-rgr1", Kazan). geo/country-abbreviation.ts says which city;
// this file says which tokens may be one.
import {airportByIata, metroByCode} from '../geo/airports.js'
import {countryCityAbbreviation} from '../geo/country-abbreviation.js'
import {fromPlace} from './candidate.js'
import type {Reading} from './codes.js'
import {bestConfidence, type LabelInfo, type Token} from './tokenize.js'
import {STOP} from './vocab.js'

/** As a dominant CLLI rule hit (codes.ts): a clear abbreviation, not a published code; capped below. */
export const COUNTRY_ABBREVIATION_CONF = 0.55
/**
 * However much the name's position and a country label beside it add, a guess from letters in
 * order stays a hint (under 0.5: shown with '?', never a verdict): in a country many 3- and 4-letter
 * strings fit some city. The review ran the rule over all 17,576 three-letter tokens in
 * "ae0.XXX1.example.CC": as a confident reading it gave a city to 2-4 % more of them (.in 592 ->
 * 1,350, .ru 622 -> 1,036), role and customer words among them ("dsr1" Duisburg, "msw1" Moscow,
 * "sap-gw1" Sapporo, "blog.it." Bologna), and on the held-out half it was not built on it read
 * nothing more. A hint still says where an operator's own mnemonic probably points.
 */
export const COUNTRY_ABBREVIATION_CEILING = 0.45

/**
 * Router and network words that vocab.ts's STOP does not hold (there they would lose airport
 * readings they are right to have) but that the letters-in-order rule fits to some city of a
 * country: "asbr" (an AS boundary router) to Augsburg, "lns" (an L2TP network server) to Luhansk,
 * "pod", "hub", "sip", "ext", "log", "res", "tel", "pon" (a passive optical network) ... Checked by
 * running the rule over the role, service and product words of router names in 25 countries.
 */
const NETWORK_WORDS: ReadonlySet<string> = new Set([
  'asbr', 'lns', 'ipr', 'apr', 'tpr', 'isr', 'cpr', 'swt', 'vsr', 'vrr', 'dia', 'ipt', 'ext', 'san', 'bkp', 'log',
  'npe', 'spe', 'upe', 'mpe', 'ppe', 'msan', 'ibr', 'trs', 'ims', 'sip', 'juni', 'zte', 'pni', 'dwn', 'hub', 'spk',
  'spin', 'pod', 'hall', 'flr', 'colo', 'tele', 'isp', 'tel', 'pon', 'res', 'stg', 'lte', 'umts', 'gsm', 'voip',
  'iptv', 'vod', 'ott', 'nfv', 'vnf', 'sdn', 'wdm', 'otn', 'sdh', 'pdh', 'dwdm', 'cwdm', 'roadm', 'ont', 'onu',
])

/**
 * May this token be a city abbreviation of the name's own country? A run of 3-4 letters that leads
 * its part (after a number it is a role: "osk008agr02"), no infrastructure word, and with no reading
 * already in that country nor a major airport's elsewhere (those are read as they are).
 */
function eligible(t: Token, country: string, regStop: string | null): boolean {
  if (t.kind !== 'run' || t.text.length < 3 || t.text.length > 4 || t.digitsBefore || t.wordAfterNumber) return false
  if (t.text === regStop || STOP.has(t.text) || NETWORK_WORDS.has(t.text)) return false
  for (const r of t.readings) {
    if (r.soft || r.country === country) return false
    if (r.codeType === 'iata' && (metroByCode(r.code) !== null || airportByIata(r.code)?.large === true)) return false
  }
  return true
}

/**
 * Is the token where a router's site code stands, not a word of a server's name ("blog" of
 * "blog.example.it" fits Bologna, "live" Liverpool)? A site code carries a number ("erl2"), or
 * sits in a router's label beside a role word or a numbered part ("kra-bng2", "kazn-rgr1"), or
 * has a country label beside it (`byCountryLabel`: "FKT.DE").
 */
function routerShaped(t: Token, info: LabelInfo, byCountryLabel: boolean): boolean {
  if (t.digitsAfter || byCountryLabel) return true
  return info.tokens.some((o) => o !== t && o.kind === 'run' && o.part !== t.part && (o.digitsAfter || STOP.has(o.text)))
}

/**
 * The label's analysis with the country-abbreviation readings added; the same object when there
 * are none (a copy otherwise: the memo's analysis is shared). `byCountryLabel`: a country label
 * follows this one.
 */
export function withCountryAbbreviations(info: LabelInfo, country: string, regStop: string | null, byCountryLabel: boolean): LabelInfo {
  let tokens: Token[] | null = null
  for (let k = 0; k < info.tokens.length; k++) {
    const t = info.tokens[k]!
    if (!eligible(t, country, regStop) || !routerShaped(t, info, byCountryLabel)) continue
    const place = countryCityAbbreviation(t.text, country, byCountryLabel)
    if (place === null) continue
    const {token: _t, ...reading} = fromPlace(
      t.text,
      'clli',
      '',
      place,
      COUNTRY_ABBREVIATION_CONF,
      `${t.text} abbreviates ${place.city} (letters of the name in order), the clear lead among the cities of ${country} they fit, the country the name is in`,
    )
    tokens ??= [...info.tokens]
    tokens[k] = {...t, readings: [...t.readings, {...reading, ceiling: COUNTRY_ABBREVIATION_CEILING} as Reading]}
  }
  return tokens === null ? info : {...info, tokens, best: bestConfidence(tokens)}
}
