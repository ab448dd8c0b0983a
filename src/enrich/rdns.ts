// Reverse DNS for hop addresses: concurrent, cached, bounded by a timeout. A lookup that fails or
// times out gives null; it never delays the trace beyond the timeout. Names are sanitised here,
// once, because they come from whoever controls the reverse zone.
import {Resolver} from 'node:dns/promises'

import {type BoundedMemo, boundedMemo} from '../util/memo.js'
import {sanitize} from '../util/sanitize.js'

export interface ReverseResolver {
  reverse(addr: string): Promise<string | null>
}

export const nullReverseResolver: ReverseResolver = {
  reverse: async () => null,
}

/** Addresses a resolver remembers at most: a 1 GB Atlas download holds some 10^5 hop addresses. */
export const RDNS_CACHE_MAX = 200_000

export class CachedReverseResolver implements ReverseResolver {
  private readonly cached: BoundedMemo<Promise<string | null>>
  private readonly resolver: Resolver
  private readonly timeoutMs: number

  constructor(opts: {timeoutMs?: number; servers?: string[]; maxEntries?: number} = {}) {
    this.timeoutMs = opts.timeoutMs ?? 1500
    // c-ares' own timeout per try; one try keeps slow zones from multiplying the wait
    this.resolver = new Resolver({timeout: this.timeoutMs, tries: 1})
    if (opts.servers && opts.servers.length > 0) this.resolver.setServers(opts.servers)
    // bounded, so a report over any number of results keeps memory flat (full: it starts over)
    this.cached = boundedMemo(opts.maxEntries ?? RDNS_CACHE_MAX, (addr) => this.lookup(addr))
  }

  reverse(addr: string): Promise<string | null> {
    return this.cached(addr)
  }

  /** addresses remembered now */
  get size(): number {
    return this.cached.size
  }

  /** lookups made, and those that gave a name */
  readonly tally = {lookups: 0, named: 0}

  /**
   * Said when none of many lookups gave a name: a report of Atlas traceroutes read offline just
   * named no PoP, the hop names it needed silently missing. c-ares's reverse lookup says ENOTFOUND
   * alike for an address without a name, a resolver that never answered (timeout) and one that
   * cannot be reached, so "no name for any of them" is what can be said. null when names came.
   */
  unansweredNote(): string | null {
    const {lookups, named} = this.tally
    if (named > 0 || lookups < NO_NAME_AT_ALL) return null
    return `reverse DNS: none of the ${lookups} hop addresses looked up has a name (no resolver answering? this host may be offline): those hops have no names, nor the PoP hints names give; check the resolver, or --no-rdns to read the results without it`
  }

  private async lookup(addr: string): Promise<string | null> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), this.timeoutMs + 100)
    })
    this.tally.lookups++
    try {
      const names = await Promise.race([this.resolver.reverse(addr).catch(() => [] as string[]), timeout])
      const name = names?.[0]
      if (!name) return null
      this.tally.named++
      return sanitize(name.replace(/\.$/, ''), 253)
    } finally {
      clearTimeout(timer)
    }
  }
}

/** lookups, none named, that make "no name for any" worth saying (routers mostly have names) */
const NO_NAME_AT_ALL = 5
