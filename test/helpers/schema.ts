// Validate real command output against the checked-in JSON Schemas (schemas/*.json).
import {readdirSync, readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

import {Ajv2020} from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void

const dir = fileURLToPath(new URL('../../schemas/', import.meta.url))
let ajv: Ajv2020 | null = null

function load(): Ajv2020 {
  if (ajv) return ajv
  ajv = new Ajv2020({allErrors: true, strict: false})
  addFormats(ajv)
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    ajv.addSchema(JSON.parse(readFileSync(dir + f, 'utf8')))
  }
  return ajv
}

/** Returns the list of schema errors (empty when valid). */
export function schemaErrors(schemaFile: string, doc: unknown): string[] {
  const a = load()
  const validate = a.getSchema(`https://anyprobe.dev/schemas/${schemaFile}`)
  if (!validate) throw new Error(`no schema ${schemaFile}`)
  if (validate(doc)) return []
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`)
}
