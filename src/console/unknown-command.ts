// `anyprobe traec 127.0.0.1`: an unknown command is bad usage like any other (E_USAGE, exit 2), with
// a hint naming the command(s) closest to what was typed. Pure: oclif's command_not_found hook
// (base-command.ts commandNotFound) prints the error.
import {AnyprobeError, EXIT} from '../model/errors.js'
import {editDistance} from '../util/edit-distance.js'
import {sanitize} from '../util/sanitize.js'

/** How many edits a typo may have and still be suggested: 1 for words of 3 letters or fewer, else 2. */
const maxEdits = (typed: string): number => (typed.length <= 3 ? 1 : 2)

/**
 * The commands closest to the typed words (`words`: the command line's words before the first flag;
 * `ids`: oclif's command ids, "config:set"). A command of k words is compared with the first k words
 * typed; those at the smallest distance within maxEdits are suggested, after the commands the typed
 * name starts ("catch" -> catchment, then watch). Ids with spaces, as typed.
 */
export function closestCommands(words: readonly string[], ids: readonly string[]): string[] {
  const scored = ids.map((id) => {
    const name = id.split(':').join(' ')
    const typed = words.slice(0, id.split(':').length).join(' ').toLowerCase()
    return {name, typed, d: editDistance(typed, name)}
  })
  const prefixed = scored.filter((s) => s.typed.length >= 3 && s.name.startsWith(s.typed)).map((s) => s.name)
  const near = scored.filter((s) => s.d <= maxEdits(s.typed))
  const best = Math.min(...near.map((s) => s.d))
  const closest = near.filter((s) => s.d === best).map((s) => s.name)
  return [...new Set([...prefixed.sort(), ...closest.sort()])]
}

/** The name the user typed: one word, or two when the first is a topic ("config sett"). */
export function typedName(words: readonly string[], ids: readonly string[]): string {
  const first = words[0] ?? ''
  const topic = words.length > 1 && ids.some((id) => id.startsWith(`${first}:`))
  return (topic ? words.slice(0, 2) : words.slice(0, 1)).join(' ')
}

/**
 * The E_USAGE error of an unknown command, with the closest commands and `anyprobe help` in its hint.
 * `words`: what oclif took for the command (the words before the first flag); a line that starts
 * with a flag (`anyprobe --json trace X`) has the flag there, and flags go after the command.
 */
export function unknownCommandError(words: readonly string[], ids: readonly string[], bin = 'anyprobe', rest: readonly string[] = []): AnyprobeError {
  const help = `"${bin} help" lists every command`
  if ((words[0] ?? '').startsWith('-')) {
    const named = [...words, ...rest].filter((w) => !w.startsWith('-'))
    const close = named.length > 0 ? closestCommands(named, ids) : []
    return new AnyprobeError('E_USAGE', `"${sanitize(words[0]!, 80)}" before the command: flags go after it`, {
      hint: close.length > 0 ? `e.g. "${bin} ${close[0]} ... ${sanitize(words[0]!, 80)}"; ${help}` : help,
      exitCode: EXIT.usage,
    })
  }
  const close = closestCommands(words, ids)
  const hint =
    close.length > 0
      ? `did you mean ${close.map((c) => `"${bin} ${c}"`).join(' or ')}? ${help}`
      : `${help}: ${[...ids].map((id) => id.split(':').join(' ')).sort().join(', ')}`
  return new AnyprobeError('E_USAGE', `unknown command "${sanitize(typedName(words, ids), 80)}"`, {hint, exitCode: EXIT.usage})
}
