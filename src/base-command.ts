// Shared behaviour of every command: --json from oclif, and one way of reporting errors.
// Errors become "error E_CODE: message" plus a hint on stderr (or {"error": {...}} with --json)
// and a documented exit code; a stack trace is never shown for an expected failure.
import {Command} from '@oclif/core/command'
import type {Hook} from '@oclif/core/hooks'

import {guardStdio, printJson, printNdjson} from './console/output.js'
import {unknownCommandError} from './console/unknown-command.js'
import {missingArgsMessage} from './console/usage-error.js'
import {AnyprobeError, EXIT, isAnyprobeError} from './model/errors.js'
import {sanitize} from './util/sanitize.js'

export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true

  /** Every command: a reader that goes away (`| head`) ends the run quietly, not with exit 1 (console/output.ts guardStdio). */
  public override async init(): Promise<void> {
    guardStdio()
    await super.init()
  }

  /**
   * oclif's logJson tokenizes the whole document to colour it, even when nothing is coloured: that
   * costs more time and memory than a big measurement (a catchment of 10 000 Atlas probes) and a few
   * ms of a short trace. Written as plain JSON when stdout is not a terminal (the same text).
   */
  protected override logJson(json: unknown): void {
    if (process.stdout.isTTY) super.logJson(json)
    else printJson(json)
  }

  /** One NDJSON record on stdout, now (console/output.ts: the one writer of stdout, for every command). */
  protected printNdjson(value: unknown): void {
    void printNdjson(value)
  }

  protected override async catch(err: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<unknown> {
    const ape = toAnyprobeError(err)
    if (ape === null) return super.catch(err)
    process.exitCode = ape.exitCode
    if (this.jsonEnabled()) {
      // a document like every other (schemas/error.schema.json); readers look at `error` alone
      this.logJson(errorDocument(ape))
    } else {
      process.stderr.write(formatError(ape))
    }
    return undefined
  }
}

/** The --json form of an error (schemas/error.schema.json). */
export function errorDocument(e: AnyprobeError): {schemaVersion: 1; kind: 'error'; error: ReturnType<AnyprobeError['toJSON']>} {
  return {schemaVersion: 1, kind: 'error', error: e.toJSON()}
}

/**
 * oclif's command_not_found hook (package.json oclif.hooks; src/cli.ts exports it for the bundle):
 * `anyprobe traec 127.0.0.1` is an E_USAGE error like any other bad usage, printed the same way
 * (stderr, or the error document on stdout when --json is anywhere on the line), exit 2, instead
 * of oclif's "command traec:127.0.0.1 not found". oclif hands over the words before the first flag
 * joined by ":" as `id`, and the rest as `argv`.
 */
export const commandNotFound: Hook.CommandNotFound = async function (opts) {
  const words = opts.id.split(':')
  const ape = unknownCommandError(words, opts.config.commandIDs, opts.config.bin, opts.argv ?? [])
  process.exitCode = ape.exitCode
  if ([...words, ...(opts.argv ?? [])].includes('--json')) printJson(errorDocument(ape))
  else process.stderr.write(formatError(ape))
}

export function formatError(e: AnyprobeError): string {
  let out = `error ${e.code}: ${sanitize(e.message, 2000)}\n`
  if (e.hint) out += `hint: ${e.hint}\n`
  return out
}

/** Map our errors and oclif's argument/flag errors to AnyprobeError; null for real bugs (those keep their trace). */
export function toAnyprobeError(err: Error & {oclif?: {exit?: number}}): AnyprobeError | null {
  if (isAnyprobeError(err)) return err
  // oclif parse errors (unknown flag, missing arg, bad option value) carry exit 2
  if (err?.oclif?.exit === 2 || /Flag|Arg|Parse/.test(err?.name ?? '')) {
    // oclif puts the detail on following lines ("Missing 1 required arg:\ntarget  an address...");
    // keep it on one line, without its own "See more help" line (the hint says that)
    const missing = missingArgsMessage(err)
    if (missing !== null) return new AnyprobeError('E_USAGE', missing, {hint: 'see --help for the flags and arguments this command takes', exitCode: EXIT.usage})
    const lines = err.message.split('\n').map((l) => l.trim().replace(/\s{2,}/g, ' ')).filter((l) => l !== '' && !/^See more help/i.test(l))
    return new AnyprobeError('E_USAGE', lines.join(' ') || 'bad usage', {
      hint: 'see --help for the flags and arguments this command takes',
      exitCode: EXIT.usage,
    })
  }
  return null
}
