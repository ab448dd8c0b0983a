// anyprobe help [COMMAND]: the same help as `anyprobe COMMAND --help` (oclif ships this command
// only in a plugin; users type it, so it is here). Thin: oclif's own help class does the work.
// `anyprobe help traec` is the same E_USAGE error as `anyprobe traec` (console/unknown-command.ts).
import * as Args from '@oclif/core/args'
import {loadHelpClass} from '@oclif/core/help'

import {BaseCommand} from '../base-command.js'
import {unknownCommandError} from '../console/unknown-command.js'

export default class HelpCommand extends BaseCommand {
  static override summary = 'Show help for anyprobe or one of its commands'

  static override strict = false

  static override args = {
    command: Args.string({description: 'the command to explain (e.g. trace, or "config set")', required: false}),
  }

  static override examples = ['<%= config.bin %> help trace', '<%= config.bin %> help config set']

  async run(): Promise<void> {
    const {argv} = await this.parse(HelpCommand)
    const words = (argv as string[]).filter((w) => !w.startsWith('-'))
    // the longest run of leading words that names a command or a topic ("config set", "config")
    let k = words.length
    while (k > 0 && !this.config.findCommand(words.slice(0, k).join(':')) && !this.config.findTopic(words.slice(0, k).join(':'))) k--
    if (words.length > 0 && k === 0) throw unknownCommandError(words, this.config.commandIDs, this.config.bin)
    const Help = await loadHelpClass(this.config)
    await new Help(this.config, this.config.pjson.oclif.helpOptions ?? {}).showHelp(words.slice(0, k))
  }

  /** Help is text: with --json (the error document's switch) a found command's help prints as text, and no "undefined" document after it. */
  protected override logJson(json: unknown): void {
    if (json !== undefined) super.logJson(json)
  }
}
