// oclif's "Missing N required arg(s)" in anyprobe's words. oclif lists the arguments as a two-column
// table (joined on one line it read "file saved anyprobe JSON ...") and always adds a Note that
// every flag taking several values must come after the arguments, even when none was given
// (`anyprobe report` alone printed "Note: --location allows multiple values ..."). Here the
// arguments are named as the usage line spells them, and the note is said only when such a flag
// was given and may have read the argument as one of its values.

interface ArgDef {
  name?: string
  description?: string
}
interface FlagDef {
  type?: string
  multiple?: boolean
  multipleNonGreedy?: boolean
}
/** The shape of oclif's RequiredArgsError this reads (its fields, not its class: the bundle has its own copy). */
export interface RequiredArgsErrorLike {
  message: string
  args?: ArgDef[]
  parse?: {input?: {flags?: Record<string, FlagDef>}; output?: {raw?: Array<{type?: string; flag?: string}>}}
}

/** The message for oclif's missing-arguments error, or null when `err` is not one. */
export function missingArgsMessage(err: RequiredArgsErrorLike): string | null {
  if (!Array.isArray(err.args) || !/^Missing \d+ required arg/.test(err.message)) return null
  const named = err.args.filter((a) => a.name)
  const list = named.map((a) => `${a.name!.toUpperCase()}${a.description ? ` (${a.description})` : ''}`).join('; ')
  let msg = `missing ${named.length === 1 ? 'argument' : `${named.length} arguments`}${list === '' ? '' : ` ${list}`}`
  // a flag that takes every following word as its value (not --from: one value per --from)
  const greedy = new Set(Object.entries(err.parse?.input?.flags ?? {}).filter(([, f]) => f.type === 'option' && f.multiple && !f.multipleNonGreedy).map(([n]) => n))
  const given = [...new Set((err.parse?.output?.raw ?? []).filter((r) => r.type === 'flag' && r.flag !== undefined && greedy.has(r.flag)).map((r) => r.flag!))]
  if (given.length > 0) {
    const flags = given.map((f) => `--${f}`).join(', ')
    msg += `; ${flags} take${given.length === 1 ? 's' : ''} several values and may have read ${named.length === 1 ? 'it' : 'them'} as one: put the arguments first, or "--" before them`
  }
  return msg
}
