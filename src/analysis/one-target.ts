// One target per catchment or sites analysis: the rules that keep results of different services
// apart (moved here from src/console/sites-input.ts so that `report`, `diff` and `catchment` use
// the same ones as `sites --input`):
// - a result that measured an address private to each probe's network (a RIPE Atlas DNS
//   measurement with use_probe_resolver asking 192.168.1.1, 10.0.0.1, fd00::1 ...) measured as many
//   different hosts as there are probes: it belongs to no target (ownNetworkTarget);
// - a file holding results of several targets (a daily dump, two measurements saved together) is
//   read for one: the one asked (by name or address), else the first met; the others are counted
//   and said (TargetPicker). A target is its names and addresses.
import type {VantageOutcome} from '../model/probe.js'
import {sanitize} from '../util/sanitize.js'
import {classify as addressClass, parseAddress, unmapped} from '../util/target.js'

/** address classes that are each network's own: the same address is another host behind every probe */
const OWN_NETWORK = new Set(['private', 'loopback', 'link-local', 'carrier-grade-nat', 'unique-local', 'unspecified'])

/**
 * The address a remote probe's result measured when it is one of that probe's own network (a DNS
 * result that asked the probe's resolver at 192.168.1.1, use_probe_resolver): the RTTs of many
 * probes to "192.168.1.1" are to as many home routers, and would read as sites next to every probe.
 * Null when the result measured a shared address (or came from one of our own vantage points, whose
 * lab addresses are private on purpose). A failure (no result) is judged by `failedAddr`, the
 * address its measurement was of, when the file says it.
 */
export function ownNetworkTarget(o: VantageOutcome, failedAddr: string | null = null): string | null {
  const addr = o.result === null ? failedAddr : o.result.targetAddr
  if (addr === null || (o.vantage.kind !== 'atlas' && o.vantage.kind !== 'globalping')) return null
  const a = parseAddress(addr)
  return a !== null && OWN_NETWORK.has(addressClass(a)) ? addr : null
}

/**
 * A target as results name it: an address in its one written form ([2001:db8:0:0::1] and
 * 2001:DB8::1 are 2001:db8::1; ::ffff:192.0.2.1, as a dual-stack socket reports an IPv4 peer, is
 * 192.0.2.1), a name in lower case without a trailing dot (a DNS name's root).
 */
export const targetKey = (t: string): string => {
  const a = parseAddress(t)
  return a !== null ? unmapped(a).toString() : t.trim().toLowerCase().replace(/\.$/, '')
}

/**
 * Which outcomes of one file are of its target (see the header). Pure bookkeeping: `pick` says
 * where an outcome's observation goes, `chosen` which of the two was read, `warning` what was left.
 * A target is its names and addresses: a result naming one of them joins it and adds its own (a
 * measurement of 193.0.14.129 beside one of k.root-servers.net is one target).
 */
export class TargetPicker {
  private readonly asked: Set<string> | null
  private first: Set<string> | null = null
  private readonly names = {asked: null as string | null, first: null as string | null}
  /** per target name as the results write it: how many went to the asked target, the first, or neither */
  private readonly routed = new Map<string, {asked: number; first: number; none: number}>()

  /** the one asked is an address: only results of that address are its (see pick) */
  private readonly askedAddress: boolean

  constructor(asked: string | null | undefined) {
    this.asked = asked === null || asked === undefined || asked.trim() === '' ? null : new Set([targetKey(asked)])
    this.askedAddress = this.asked !== null && parseAddress(asked!.trim().replace(/^\[|\]$/g, '')) !== null
  }

  /** 'asked' (the target named), 'first' (the file's first other target), or null (another target, left out). */
  pick(target: string, addr: string | null): 'asked' | 'first' | null {
    const keys = addr === null ? [targetKey(target)] : [targetKey(target), targetKey(addr)]
    let to: 'asked' | 'first' | null = null
    if (this.asked !== null && keys.some((k) => this.asked!.has(k))) to = 'asked'
    else {
      this.first ??= new Set(keys)
      if (keys.some((k) => this.first!.has(k))) to = 'first'
    }
    if (to !== null) {
      // an address asked is that address only: its results' name does not bring in the name's other
      // addresses (the same name measured over IPv6, or at each probe's own front-end, is routed apart)
      if (!(to === 'asked' && this.askedAddress)) for (const k of keys) (to === 'asked' ? this.asked! : this.first!).add(k)
      // an address asked is named as asked, not by the name its results also carry
      this.names[to] ??= to === 'asked' && this.askedAddress && addr !== null ? addr : target
    }
    let r = this.routed.get(target)
    if (r === undefined) this.routed.set(target, (r = {asked: 0, first: 0, none: 0}))
    r[to ?? 'none']++
    return to
  }

  /** Is a target (its name or address) the one asked? (A failure of it is read as the one asked, even with no result.) */
  isAsked(target: string, addr: string | null): boolean {
    return this.asked !== null && (this.asked.has(targetKey(target)) || (addr !== null && this.asked.has(targetKey(addr))))
  }

  /**
   * Is a target (its name and address) the one read? For a failure, which names a target but is
   * never routed (a failure does not make its target the file's first), asked once all is read.
   */
  reads(target: string, addr: string | null): boolean {
    const set = this.chosen === 'asked' ? this.asked : this.first
    if (set === null || this.chosenName() === null) return false
    return set.has(targetKey(target)) || (addr !== null && set.has(targetKey(addr)))
  }

  /** the target whose results are read: the asked one when any result named it, else the first */
  get chosen(): 'asked' | 'first' {
    return this.names.asked !== null ? 'asked' : 'first'
  }

  /** the target read, as its first result names it */
  chosenName(): string | null {
    return this.names[this.chosen]
  }

  /** results of other targets than the one read, per target name as the results write it, most first */
  private leftOut(): Array<[string, number]> {
    const others: Array<[string, number]> = []
    for (const [t, r] of this.routed) {
      const left = r.asked + r.first + r.none - r[this.chosen]
      if (left > 0) others.push([t, left])
    }
    return others.sort((x, y) => y[1] - x[1])
  }

  /** results of other targets than the one read were left out */
  hasOthers(): boolean {
    return this.chosenName() !== null && this.leftOut().length > 0
  }

  /**
   * A target was asked, no result named it, and the file held several: the first was read, not the
   * one asked (which is then no label of what was read). With one target in the file, the one
   * asked is only a label of it.
   */
  askedMissed(): boolean {
    return this.asked !== null && this.chosen === 'first' && this.hasOthers()
  }

  /**
   * The warning when results of other targets were left out; null when the file held one target.
   * `of`: what was made of the chosen target's results and how to ask for another (sites: "the
   * sites", `anyprobe sites TARGET --input FILE`; report: "the catchment", `--target`).
   */
  warning(label: string, of: {what: string; how: string} = {what: 'the sites', how: 'Name the one to analyse as TARGET (anyprobe sites TARGET --input FILE)'}): string | null {
    const read = this.chosenName()
    if (read === null) return null
    const others = this.leftOut()
    if (others.length === 0) return null
    const n = others.reduce((s, [, c]) => s + c, 0)
    const list = others.slice(0, 5).map(([t, c]) => `${sanitize(t, 100)} (${c})`).join(', ')
    return `${sanitize(label, 200)} holds results of other targets than ${sanitize(read, 100)}: ${n} result${n === 1 ? ' was' : 's were'} left out (${list}${others.length > 5 ? `, and ${others.length - 5} more` : ''}); ${of.what} ${of.what.endsWith('s') ? 'are' : 'is'} of ${sanitize(read, 100)}. ${of.how}`
  }
}


/** Results left out because they measured each probe's own network, counted per address. */
export class OwnNetworkCount {
  private readonly byAddr = new Map<string, number>()

  add(addr: string): void {
    this.byAddr.set(addr, (this.byAddr.get(addr) ?? 0) + 1)
  }

  get total(): number {
    let n = 0
    for (const c of this.byAddr.values()) n += c
    return n
  }

  /** What was left out and why (`effect`: what their results would have meant); null when nothing was. */
  note(label: string, effect = 'their RTTs are to as many different hosts, not to one service'): string | null {
    if (this.byAddr.size === 0) return null
    const n = this.total
    const list = [...this.byAddr].sort((x, y) => y[1] - x[1]).slice(0, 5).map(([a, c]) => `${sanitize(a, 45)} (${c})`).join(', ')
    return `${sanitize(label, 200)}: ${n} result${n === 1 ? '' : 's'} measured an address private to each probe's network (${list}${this.byAddr.size > 5 ? ', ...' : ''}: the probe's own resolver or router, as a DNS measurement with use_probe_resolver asks): ${effect}, and were left out`
  }
}

/**
 * What --target means for a watch --out file's events: nothing (a watch is judged whole, as it ran);
 * null when every watch in the file was of the target asked.
 */
export function watchTargetNote(name: string, asked: string, targets: string[]): string | null {
  if (targets.length > 0 && targets.every((t) => targetKey(t) === targetKey(asked))) return null
  const of = targets.length === 0 ? 'a target its observations do not name' : targets.map((t) => sanitize(t, 100)).join(', ')
  return `${sanitize(name, 200)}: --target ${sanitize(asked, 100)} does not apply to a watch's events: they are judged as the watch ran (of ${of}), whatever --target says; it chooses among the targets of saved results and catchments`
}
