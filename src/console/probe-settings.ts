// The probe's settings that do not depend on where it runs (CLI layer): flag syntax (--qname,
// --header, --host, --pop-header) and the --asn-db files. One check, made by the single-host
// command (dns / http / trace measuring here) and by the plan of every multi-vantage run
// (./plan.ts planFromFlags, ./multi-run.ts runVantages) before any vantage point starts: checked
// only in the child, a typo ended the run as exit 4 ("the target answered nobody") and paged for
// the target. Same error, same code (E_USAGE / E_MMDB, exit 2), whichever path.
import {AnyprobeError, EXIT} from '../model/errors.js'
import {HEADER_NAME, HEADER_VALUE_CONTROL} from '../model/http.js'
import {sanitize} from '../util/sanitize.js'

/** --qname, trimmed; E_USAGE when it is not a domain name ("." is the root). */
export function checkQname(text: string): string {
  const qname = text.trim()
  if (!isDomainName(qname)) {
    throw new AnyprobeError('E_USAGE', `--qname "${sanitize(qname, 300)}" is not a domain name`, {
      hint: 'give a name like example.net, or "." for the root',
      exitCode: EXIT.usage,
    })
  }
  return qname
}

/** "." or dot-separated labels of 1 to 63 characters, 253 in all ("a..b" has an empty label: it went out as a query). */
function isDomainName(name: string): boolean {
  if (name === '.') return true
  if (name === '' || name.length > 253) return false
  return name.replace(/\.$/, '').split('.').every((label) => label.length >= 1 && label.length <= 63)
}

/** Parse a repeatable `--header 'Name: value'`. */
export function parseHeaderFlag(text: string): [string, string] {
  const i = text.indexOf(':')
  const name = i < 0 ? '' : text.slice(0, i).trim()
  const value = i < 0 ? '' : text.slice(i + 1).trim()
  if (!HEADER_NAME.test(name) || HEADER_VALUE_CONTROL.test(value)) {
    throw new AnyprobeError('E_USAGE', `--header "${sanitize(text, 200)}" is not a "Name: value" header`, {
      hint: "write it like --header 'Accept-Language: en'",
      exitCode: EXIT.usage,
    })
  }
  return [name, value]
}

export interface HttpSettings {
  headers: Record<string, string>
  host: string | null
  popHeaders: string[]
}

/** --header, --host and --pop-header as http sends and reads them; E_USAGE for one it cannot. */
export function checkHttpSettings(flags: {header?: readonly string[]; host?: string; 'pop-header'?: readonly string[]}): HttpSettings {
  const headers: Record<string, string> = {}
  for (const h of flags.header ?? []) {
    const [name, value] = parseHeaderFlag(h)
    if (name.toLowerCase() === 'host') {
      throw new AnyprobeError('E_USAGE', 'set the Host header with --host, not --header', {
        hint: '--host also sets the TLS server name (SNI) and keeps redirects on that host at the same address',
        exitCode: EXIT.usage,
      })
    }
    headers[name] = value
  }
  const host = flags.host?.trim() || null
  if (host !== null && !/^[A-Za-z0-9._-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host)) {
    throw new AnyprobeError('E_USAGE', `--host "${sanitize(host, 200)}" is not a host name`, {
      hint: 'give a name like www.example.net',
      exitCode: EXIT.usage,
    })
  }
  const popHeaders = [...new Set((flags['pop-header'] ?? []).map((h) => h.trim().toLowerCase()))]
  for (const h of popHeaders) {
    if (!HEADER_NAME.test(h)) {
      throw new AnyprobeError('E_USAGE', `--pop-header "${sanitize(h, 200)}" is not a header name`, {
        hint: 'give just the name, e.g. --pop-header X-Server-Location',
        exitCode: EXIT.usage,
      })
    }
  }
  return {headers, host, popHeaders}
}

/**
 * The flag checks of the probe by METHOD over the flags the user set (named as trace / dns / http
 * spell them, as ./plan.ts PLAN_FLAGS keys them): throws what the command measuring here throws.
 */
export function checkProbeSettings(method: string, given: Record<string, unknown>): void {
  if (method === 'dns' && given.qname !== undefined) checkQname(String(given.qname))
  if (method === 'http') {
    checkHttpSettings({
      header: given.header as string[] | undefined,
      host: given.host === undefined ? undefined : String(given.host),
      'pop-header': given['pop-header'] as string[] | undefined,
    })
  }
}

/**
 * --asn-db files opened and checked as `trace` does before it sends anything (E_MMDB, exit 2: a
 * file that cannot be opened, one whose records hold no ASN). For the vantage points that read
 * them on this host (local, netns); an ssh vantage point reads its own host's file.
 */
export async function checkAsnDbs(paths: readonly string[]): Promise<void> {
  if (paths.length === 0) return
  const {openAsnLookup} = await import('../enrich/asn.js')
  await openAsnLookup([...paths], false)
}
