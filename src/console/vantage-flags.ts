// The --from flags every measuring command shares (CLI layer). The check that decides whether a
// command measures here or elsewhere is ./from-elsewhere.ts; both are kept apart from ./multi-run.ts (the multi-vantage run, every backend,
// the catchment and all renderers) so a command that measures here never loads that code: a
// local trace is mostly start-up, and this was ~2 ms of it.
import * as Flags from '@oclif/core/flags'

import {AnyprobeError, EXIT} from '../model/errors.js'


export {MULTI_SCHEMA_VERSION} from '../model/probe.js'
export type {MultiResult, OutcomeLine} from '../model/probe.js'

/** Flags shared by every command that can measure from elsewhere. */
export const vantageFlags = {
  from: Flags.string({
    multiple: true,
    multipleNonGreedy: true,
    helpGroup: 'VANTAGE',
    description: 'where to measure from (repeatable): local | netns:NAME[,NAME...] | ssh:[user@]host[:port][,...] | atlas:SELECTOR | globalping:LOC[,LOC...][,limit=N] | @FILE (one spec per line, # comments). With several vantage points --json is {kind: "multi", outcomes}, and the exit code is 0 when the target answered every one of them, 9 some, 4 none',
  }),
  concurrency: Flags.integer({min: 1, max: 1024, default: 8, helpGroup: 'VANTAGE', description: 'vantage points measured at once'}),
  progress: Flags.boolean({allowNo: true, helpGroup: 'VANTAGE', description: 'progress line on stderr (default: when stderr is a terminal and there are several vantage points)'}),
  ndjson: Flags.boolean({helpGroup: 'VANTAGE', description: 'print one JSON outcome per line as each vantage point finishes (instead of --json)'}),
  'remote-command': Flags.string({
    helpGroup: 'VANTAGE',
    description: 'command that runs anyprobe at netns/ssh vantage points, e.g. "node /opt/anyprobe/bin/run.js" ({args} marks where the arguments go; default: this anyprobe for netns, `anyprobe` on the remote PATH for ssh; a local vantage point beside them runs it too; refused without a netns: or ssh: one)',
  }),
  'ssh-option': Flags.string({multiple: true, multipleNonGreedy: true, helpGroup: 'VANTAGE', description: 'an ssh -o option for ssh: vantage points, e.g. IdentityFile=~/.ssh/probe (repeatable)'}),
  'atlas-msm': Flags.integer({min: 1, helpGroup: 'VANTAGE', description: 'atlas: read the results of this existing RIPE Atlas measurement instead of creating one (public ones need no key)'}),
  'dry-run': Flags.boolean({helpGroup: 'VANTAGE', description: 'atlas: / globalping: print the measurement request and its cost, spend nothing, measure nothing'}),
  // no oclif default: unset means 60 s for local/netns/ssh and RIPE Atlas's own 10 min wait (a
  // one-off measurement takes minutes); set, it bounds the Atlas wait too
  'vp-timeout': Flags.string({helpGroup: 'VANTAGE', description: 'how long one vantage point may take before it is stopped and reported as E_VP_TIMEOUT (default 60s; atlas: how long to wait for results, default 10m)'}),
}

export const VANTAGE_FLAG_NAMES: ReadonlySet<string> = new Set([...Object.keys(vantageFlags), 'json'])

export type VantageFlagValues = {
  /** watch only: leave the RIPE Atlas measurement the watch created running */
  keep?: boolean
  from?: string[]
  concurrency: number
  progress?: boolean
  ndjson: boolean
  'remote-command'?: string
  'ssh-option'?: string[]
  'vp-timeout'?: string
  'atlas-msm'?: number
  'dry-run'?: boolean
}

type VantageKind = 'local' | 'netns' | 'ssh' | 'atlas' | 'globalping'

interface FlagUse {
  kinds: readonly VantageKind[]
  what: string
  hint: string
}

/**
 * The vantage flags only some kinds of --from use, the kinds that use them, and what to do
 * instead. Without one of those kinds the flag would be dropped (a `trace --dry-run` measured for
 * real), so it is refused before anything runs.
 */
const USED_BY: Readonly<Record<string, FlagUse>> = {
  // how anyprobe is installed at netns / ssh vantage points. A local vantage point of the same run
  // runs it too (its child, on this host as a netns one is), but alone it was never meant for it:
  // `catchment --from local --remote-command /x` ran /x here and failed E_VP_SPAWN with no hint
  'remote-command': {
    kinds: ['netns', 'ssh'],
    what: 'says how the child anyprobe of a netns or ssh vantage point is run',
    hint: 'give --from netns:NAME or --from ssh:[user@]host with it; a local vantage point alone runs this anyprobe, so drop --remote-command',
  },
  'ssh-option': {kinds: ['ssh'], what: 'is passed to ssh for ssh: vantage points', hint: 'give --from ssh:[user@]host, or drop --ssh-option'},
  'atlas-msm': {
    kinds: ['atlas'],
    what: 'reads an existing RIPE Atlas measurement',
    hint: 'give --from atlas: with it, e.g. --from atlas: --atlas-msm 1423386 (public measurements need no key)',
  },
  'dry-run': {
    kinds: ['atlas', 'globalping'],
    what: 'prints what RIPE Atlas or Globalping would be asked and what it costs',
    hint: 'add --from atlas:SELECTOR or --from globalping:LOC to see that request; local, netns and ssh vantage points cost nothing, so drop --dry-run to measure from them',
  },
}

/**
 * What differs in `watch`: only RIPE Atlas has a dry run (a Globalping watch has none: it would
 * measure for real), and --keep leaves the RIPE Atlas measurement the watch created running.
 */
const WATCH_USED_BY: Readonly<Record<string, FlagUse>> = {
  ...USED_BY,
  'dry-run': {
    kinds: ['atlas'],
    what: 'prints the RIPE Atlas measurement a watch would create and its cost per hour and per day',
    hint: 'e.g. watch 193.0.14.129 --from atlas:country=NL,n=50 --method dns --dry-run; a Globalping watch has no dry run, and local, netns and ssh vantage points cost nothing: drop --dry-run to watch from them',
  },
  keep: {
    kinds: ['atlas'],
    what: 'leaves the RIPE Atlas measurement the watch created running when it ends',
    hint: 'give --from atlas:SELECTOR with it (the watch creates a measurement and prints its id), or drop --keep',
  },
}

function kindsText(kinds: readonly VantageKind[]): string {
  return kinds.map((k) => `${k}:`).join(' / ')
}

/**
 * Refuses (E_USAGE, exit 2) a vantage flag the user set that no vantage point of this run uses:
 * --ssh-option without ssh:, --atlas-msm without atlas:, --dry-run without atlas:/globalping:,
 * --remote-command without a netns/ssh child. `here` is true when the command measures on
 * this host itself (trace / dns / http with only --from local and no --ndjson): then neither
 * --vp-timeout (it bounds each vantage point of a multi-vantage run) nor --remote-command is used.
 * `watch`: the watch's own rules (WATCH_USED_BY: --dry-run and --keep with atlas: only, no
 * --remote-command for local).
 */
export function refuseUnusedVantageFlags(kinds: readonly VantageKind[], flags: Partial<VantageFlagValues>, o: {here?: boolean; watch?: boolean} = {}): void {
  const has = new Set(kinds.length === 0 ? ['local'] : kinds)
  const fromText = [...has].map((k) => (k === 'local' ? 'local' : `${k}:`)).join(', ')
  for (const [name, use] of Object.entries(o.watch ? WATCH_USED_BY : USED_BY)) {
    const v = flags[name as keyof VantageFlagValues]
    if (v === undefined || v === false) continue
    // measuring here, the words below say it better (there is no child at all)
    if (o.here && name === 'remote-command') continue
    if (use.kinds.some((k) => has.has(k))) continue
    throw new AnyprobeError('E_USAGE', `--${name} ${use.what}; this run has no ${kindsText(use.kinds)} vantage point (--from ${fromText})`, {
      hint: use.hint,
      exitCode: EXIT.usage,
    })
  }
  if (!o.here) return
  if (flags['vp-timeout'] !== undefined) {
    throw new AnyprobeError('E_USAGE', '--vp-timeout bounds each vantage point of --from; this command measures here, from this host', {
      hint: 'set the probe\'s own --timeout, or measure this host as a vantage point with --from local --ndjson',
      exitCode: EXIT.usage,
    })
  }
  if (flags['remote-command'] !== undefined) {
    throw new AnyprobeError('E_USAGE', '--remote-command says how the child anyprobe of a vantage point is run; this command measures here, in this process', {
      hint: 'give --from netns:NAME or --from ssh:[user@]host (the vantage points whose child anyprobe it starts), or drop --remote-command',
      exitCode: EXIT.usage,
    })
  }
}
