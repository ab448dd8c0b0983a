// anyprobe help [COMMAND]: the same help as `anyprobe COMMAND --help` (oclif ships this command
// only in a plugin; users type it, so it is here). Thin: oclif's own help class does the work.
import * as Args from '@oclif/core/args'
import {Command} from '@oclif/core/command'
import {loadHelpClass} from '@oclif/core/help'

export default class HelpCommand extends Command {
  static override summary = 'Show help for anyprobe or one of its commands'

  static override strict = false

  static override args = {
    command: Args.string({description: 'the command to explain (e.g. trace, or "config set")', required: false}),
  }

  static override examples = ['<%= config.bin %> help trace', '<%= config.bin %> help config set']

  async run(): Promise<void> {
    const {argv} = await this.parse(HelpCommand)
    const Help = await loadHelpClass(this.config)
    await new Help(this.config, this.config.pjson.oclif.helpOptions ?? {}).showHelp(argv as string[])
  }
}
