// netns:NAME — a Linux network namespace on this host: `ip netns exec NAME <anyprobe> ...`, where
// <anyprobe> is this very CLI (same node, same bin script), so the namespace measures with exactly
// the code that is running. Entering a namespace needs root; without it each vantage point ends as
// E_VP_NETNS. --remote-command replaces <anyprobe>; `ipCommand` replaces `ip` (tests use a fake).
import type {NetnsSpec} from './from.js'
import {ChildBackend, type ChildCommand, type ChildOptions, type Place, selfCommand, splitWords, vantageOf} from './local.js'

interface NetnsPlace extends Place {
  name: string
}

export interface NetnsOptions extends ChildOptions {
  /** argv prefix that enters a namespace, before NAME; default ["ip", "netns", "exec"] */
  ipCommand?: string[]
}

export class NetnsBackend extends ChildBackend<NetnsPlace> {
  protected via = 'netns' as const
  // a child's observations come through a pipe from a process on this host
  protected override readonly liveSlackMs = 300
  private readonly ip: string[]

  constructor(specs: NetnsSpec[], opts: NetnsOptions = {}) {
    super(`netns:${specs.map((s) => s.name).join(',')}`, specs.map((s) => ({name: s.name, vantage: vantageOf('netns', s.name, s.name)})), opts)
    this.ip = opts.ipCommand ?? ['ip', 'netns', 'exec']
  }

  protected anyprobe(): string[] {
    return this.opts.remoteCommand ? splitWords(this.opts.remoteCommand) : selfCommand()
  }

  protected wrap(place: NetnsPlace, argv: string[]): ChildCommand {
    return {file: this.ip[0]!, args: [...this.ip.slice(1), place.name, ...argv]}
  }
}
