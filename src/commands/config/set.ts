// anyprobe config set atlas-key|globalping-token VALUE: store a secret in the config file
// ($XDG_CONFIG_HOME/anyprobe/config.json or ~/.config/anyprobe/config.json), mode 0600. VALUE "-"
// reads it from stdin, so it stays out of the shell history and the process list.
import * as Args from '@oclif/core/args'

import {BaseCommand} from '../../base-command.js'
import {AnyprobeError, EXIT} from '../../model/errors.js'
import {saveConfigValue} from '../../vantage/config-file.js'
import {configFilePath, validateKey} from '../../vantage/atlas/config.js'
import {validateToken} from '../../vantage/globalping/config.js'

/**
 * Each setting: where it goes in the file, and how a value is checked (secrets go into HTTP
 * headers): the same check as when the value is read back, so what is saved is what is accepted.
 */
const SETTINGS = {
  'atlas-key': {section: 'atlas', field: 'key', check: validateKey},
  'globalping-token': {section: 'globalping', field: 'token', check: validateToken},
} as const

async function readStdin(): Promise<string> {
  let text = ''
  for await (const chunk of process.stdin) {
    text += String(chunk)
    if (text.length > 10_000) break // a secret is short; never read an endless stream
  }
  return text.split('\n')[0] ?? ''
}

export default class ConfigSet extends BaseCommand {
  static override summary = 'Store the RIPE Atlas key or the Globalping token in the config file (mode 0600)'

  static override description = `Writes the value into ${'$'}XDG_CONFIG_HOME/anyprobe/config.json (else ~/.config/anyprobe/config.json): the directory is created 0700, the file written 0600 through a temporary file, other settings in it are kept. Give "-" as the value to read it from stdin. The value is never printed. Environment variables (ANYPROBE_ATLAS_KEY, ANYPROBE_GLOBALPING_TOKEN) take precedence over the file.`

  static override examples = ['<%= config.bin %> config set atlas-key -   # then paste the key', '<%= config.bin %> config set globalping-token "$TOKEN"']

  static override args = {
    setting: Args.string({description: 'what to set', options: Object.keys(SETTINGS), required: true}),
    value: Args.string({description: 'the value, or - to read it from stdin', required: true}),
  }

  async run(): Promise<{schemaVersion: 1; kind: 'config-set'; setting: string; path: string}> {
    const {args} = await this.parse(ConfigSet)
    const setting = SETTINGS[args.setting as keyof typeof SETTINGS]
    const raw = args.value === '-' ? await readStdin() : args.value
    if (args.value === '-' && raw.trim() === '') {
      // an empty pipe or a Ctrl-D before pasting: say so, not "0 characters, expected 8 to 200"
      throw new AnyprobeError('E_USAGE', `nothing was read from standard input for ${args.setting}`, {
        hint: `run \`anyprobe config set ${args.setting} -\`, paste the value on the first line and press Enter (then Ctrl-D), or pipe it in`,
        exitCode: EXIT.usage,
      })
    }
    const value = setting.check(raw)
    const path = configFilePath()
    await saveConfigValue(path, setting.section, setting.field, value)
    if (!this.jsonEnabled()) this.log(`${args.setting} saved in ${path} (mode 0600)`)
    return {schemaVersion: 1, kind: 'config-set', setting: args.setting, path}
  }
}
