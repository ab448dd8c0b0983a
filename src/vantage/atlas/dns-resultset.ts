// One RIPE Atlas DNS result with a "resultset" (the probe asked each of its own resolvers in turn,
// use_probe_resolver) is ONE observation of that probe at that time, not one per resolver: the
// "latest result per vantage point" rule would otherwise keep whichever entry came last, and a
// probe whose third resolver timed out after two answers would read as "not reached".
//
// The fold (pure): answered when any entry answered; the RTT is the lowest answer's (minRttMs over
// the queries, each query keeping the server it went to); identity from the answered entries when
// they agree. When they name different identities (different resolvers are different servers, so
// different sites is normal) no identity is picked: the outcome's error says who said what, as a
// verdict lists its conflicts rather than hide them. Entries that failed (timeouts, ...) stay in
// `queries` and are named in the outcome's error; they no longer hide the answers.
//
// The target: when the measurement names an address (its definition's target, or the result's
// own dst_addr), an entry that asked another server did not measure that target and is left out
// (named in the error). A use_probe_resolver measurement names none: its entries, whatever
// servers they asked, measure "this probe's resolution service", and all count.
import {identityOf} from '../../engines/dns/probe.js'
import type {DnsQueryResult, DnsResult} from '../../model/dns.js'
import {minRttMs} from '../../model/rtt.js'
import {identityInputs} from '../../infer/signals.js'
import {sanitize} from '../../util/sanitize.js'
import type {VantageError, VantageOutcome} from '../types.js'

/**
 * Fold the per-entry outcomes of one resultset (each a one-query DnsResult, or no result with an
 * error when no server was asked) into one outcome. `target`: the address the measurement names,
 * or null (use_probe_resolver).
 */
export function foldResultset(entries: readonly VantageOutcome[], probeId: number | null, target: string | null): VantageOutcome {
  const who = probeId === null ? 'the probe' : `probe ${probeId}`
  const results: DnsResult[] = []
  const offTarget: string[] = []
  const unasked: VantageError[] = []
  for (const e of entries) {
    const r = e.result
    if (r === null || r.kind !== 'dns') {
      if (e.error) unasked.push(e.error)
      continue
    }
    if (target !== null && r.targetAddr !== target) offTarget.push(r.targetAddr)
    else results.push(r)
  }
  const notes: string[] = []
  if (offTarget.length > 0) notes.push(`${offTarget.length} resolver(s) other than the target ${target} left out (they do not measure it): ${offTarget.join(', ')}`)
  if (results.length === 0) {
    // nothing of the target: a failure to ask anything speaks for the result, else the entries
    // that asked other servers (their timeouts say nothing of the target either)
    const first = unasked[0] ?? null
    const error: VantageError = first
      ? {...first, message: [first.message, ...unasked.slice(1).map((u) => u.message), ...notes].join('; ')}
      : {code: 'E_BAD_INPUT', message: `${who}: ${notes.join('; ') || 'no resultset entry measured the target'}`, hint: 'a resolver other than the target says nothing of the target\'s sites'}
    const at = entries.find((e) => e.at !== undefined)?.at
    return {vantage: entries[0]!.vantage, result: null, error, ...(at === undefined ? {} : {at})}
  }

  const queries: DnsQueryResult[] = results.map((r) => ({...r.queries[0]!, server: r.targetAddr}))
  const answered = results.filter((r) => r.answered)
  let best: DnsResult | null = null
  let bestRtt: number | null = null
  for (const r of answered) {
    const rtt = minRttMs(r.queries)
    if (best === null || (rtt !== null && (bestRtt === null || rtt < bestRtt))) {
      best = r
      bestRtt = rtt
    }
  }
  const base = best ?? results[0]!

  // identity: the answered entries' readings, each distinct reading once with who gave it
  const readings = new Map<string, string[]>()
  for (const r of answered) {
    const key = identityInputs(r.identity).join(' / ')
    if (key === '') continue
    readings.set(key, [...(readings.get(key) ?? []), r.targetAddr])
  }
  const conflict = readings.size > 1
  const identity = conflict
    ? {hostnameBind: null, idServer: null, versionBind: null, nsid: null}
    : identityOf(answered.flatMap((r) => r.queries))
  if (conflict) {
    notes.push(`its resolvers name different sites, so none is named: ${[...readings].map(([k, servers]) => `"${sanitize(k, 120)}" from ${servers.join(', ')}`).join('; ')}`)
  }

  const failedQueries = results.filter((r) => !r.answered)
  const failures = failedQueries.map((r) => `${r.targetAddr}: ${r.queries[0]!.error ?? 'no reply'}`)
  if (failures.length > 0) notes.unshift(`${failures.length} of ${results.length} resolver(s) did not answer (${failures.join(', ')})`)

  const first = results.reduce((a, r) => (r.startedAt < a.startedAt ? r : a))
  const last = results.reduce((a, r) => (r.startedAt > a.startedAt ? r : a))
  const span = Date.parse(last.startedAt) - Date.parse(first.startedAt) + last.durationMs
  const result: DnsResult = {
    ...base,
    vantage: {...base.vantage},
    startedAt: first.startedAt,
    durationMs: Number.isFinite(span) && span >= 0 ? span : base.durationMs,
    queries,
    identity,
    answered: answered.length > 0,
  }
  let error: VantageError | null = null
  if (notes.length > 0 || unasked.length > 0) {
    const failedCode: string | null = entries.find((e) => e.error !== null && !(e.result?.kind === 'dns' && e.result.answered))?.error?.code ?? null
    error = {
      code: conflict ? 'E_BAD_INPUT' : (failedCode ?? 'E_BAD_INPUT'),
      message: `${who}: ${[...notes, ...unasked.map((u) => u.message)].join('; ')}`,
      hint: answered.length > 0
        ? 'the probe asked several resolvers; the answers count (lowest RTT), the rest are listed here and kept in queries'
        : 'none of the probe\'s resolvers answered',
    }
  }
  return {vantage: result.vantage, result, error}
}
