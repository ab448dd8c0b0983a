// Where RIPE Atlas lives and which key to use. The API key comes from ANYPROBE_ATLAS_KEY or the
// config file ($XDG_CONFIG_HOME/anyprobe/config.json, else ~/.config/anyprobe/config.json, under
// "atlas": {"key": ...}); the base URLs from ANYPROBE_ATLAS_URL / ANYPROBE_ATLAS_STREAM_URL, the
// config file, or the defaults. Tests point both URLs at a replay server on 127.0.0.1.
//
// The key is a secret: it is only ever sent as the `Authorization: Key <key>` header to the API's
// own origin, never put in a URL, and `redactSecrets` scrubs it from any text that leaves this
// module (error messages, URLs, header dumps).
import {homedir} from 'node:os'
import {join} from 'node:path'

import {AnyprobeError, EXIT} from '../../model/errors.js'
import {readConfigObject, saveConfigValue, secretFileWarning} from '../config-file.js'

export const DEFAULT_ATLAS_URL = 'https://atlas.ripe.net/api/v2/'
export const DEFAULT_ATLAS_STREAM_URL = 'wss://atlas-stream.ripe.net/stream/'

export const ATLAS_KEY_ENV = 'ANYPROBE_ATLAS_KEY'
export const ATLAS_URL_ENV = 'ANYPROBE_ATLAS_URL'
export const ATLAS_STREAM_URL_ENV = 'ANYPROBE_ATLAS_STREAM_URL'

export const KEY_HINT =
  'create a key at https://atlas.ripe.net/keys/ (for new measurements it needs the permission ' +
  '"Create a new user defined measurement"), then set it with `export ANYPROBE_ATLAS_KEY=<key>` ' +
  'or store it with `anyprobe config set atlas-key -` (then paste it; saved in the config file with mode 0600); ' +
  'reading public measurements needs no key'

export interface AtlasConfig {
  /** REST API base, always ending in "/" */
  apiUrl: string
  /** result stream WebSocket endpoint */
  streamUrl: string
  key: string | null
  /** where the key came from (never the key itself) */
  keySource: 'option' | 'env' | 'config' | null
  /** set when the key came from a config file that others can read */
  warning?: string
}

export interface AtlasConfigOverrides {
  key?: string | null
  apiUrl?: string | null
  streamUrl?: string | null
  env?: NodeJS.ProcessEnv
  /** config file path (default: configFilePath(env)) */
  configFile?: string
}

/** $XDG_CONFIG_HOME/anyprobe/config.json, or ~/.config/anyprobe/config.json. */
export function configFilePath(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CONFIG_HOME
  const base = xdg && xdg.startsWith('/') ? xdg : join(env.HOME || homedir(), '.config')
  return join(base, 'anyprobe', 'config.json')
}

export interface FileConfig {
  atlas?: {key?: unknown; url?: unknown; streamUrl?: unknown}
  [other: string]: unknown
}

/** The config file's JSON object ({} when missing; E_USAGE when it is there but unusable); shared with the Globalping backend (its own section). */
export function readConfigFile(path: string): FileConfig {
  return readConfigObject(path) as FileConfig
}

function nonEmpty(v: unknown): string | null {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : null
}

/**
 * What is wrong with a secret (API key, token) that goes into an HTTP header, or null when it has
 * the shape: MIN to MAX printable ASCII characters, no space (nothing that could break a header or
 * smuggle one in). Says the rule and how the value breaks it, never the value itself.
 */
export function secretShapeProblem(value: string, min: number, max: number): string | null {
  const rule = `expected ${min} to ${max} printable ASCII characters without spaces`
  if (value.length < min) return `${value.length} character${value.length === 1 ? '' : 's'}, ${rule}`
  if (value.length > max) return `${value.length} characters, ${rule}`
  if (!/^[\x21-\x7e]*$/.test(value)) return `it holds a space, a control or a non-ASCII character; ${rule}`
  return null
}

/** A key is sent in a header: reject anything that could break or smuggle into one. */
export function validateKey(key: string): string {
  const k = key.trim()
  // RIPE Atlas keys are UUIDs (36 characters); the rule is looser so a new key format still passes
  const problem = secretShapeProblem(k, 8, 200)
  if (problem !== null) {
    throw new AnyprobeError('E_USAGE', `the RIPE Atlas API key is not a valid key: ${problem} (a RIPE Atlas key is a UUID like 0a1b2c3d-4e5f-...)`, {
      hint: KEY_HINT,
      exitCode: EXIT.usage,
    })
  }
  return k
}

/** Normalise and check a base URL (http(s) for the API, ws(s) for the stream). */
export function normalizeBaseUrl(url: string, kind: 'api' | 'stream'): string {
  let u: URL
  try {
    u = new URL(url.trim())
  } catch {
    throw new AnyprobeError('E_USAGE', `"${url}" is not a URL`, {
      hint: kind === 'api' ? `set ${ATLAS_URL_ENV} to a URL like ${DEFAULT_ATLAS_URL}` : `set ${ATLAS_STREAM_URL_ENV} to a URL like ${DEFAULT_ATLAS_STREAM_URL}`,
      exitCode: EXIT.usage,
    })
  }
  const ok = kind === 'api' ? ['http:', 'https:'] : ['ws:', 'wss:', 'http:', 'https:']
  if (!ok.includes(u.protocol) || u.username !== '' || u.password !== '') {
    throw new AnyprobeError('E_USAGE', `"${u.protocol}//${u.host}" is not a usable RIPE Atlas ${kind} URL`, {
      hint: kind === 'api' ? 'use an http(s) URL without credentials in it' : 'use a ws(s) URL without credentials in it',
      exitCode: EXIT.usage,
    })
  }
  if (kind === 'stream') {
    if (u.protocol === 'http:') u.protocol = 'ws:'
    if (u.protocol === 'https:') u.protocol = 'wss:'
  }
  if (!u.pathname.endsWith('/')) u.pathname += '/'
  return u.toString()
}

/** Options beat the environment, the environment beats the config file, the file beats defaults. */
export function loadAtlasConfig(o: AtlasConfigOverrides = {}): AtlasConfig {
  const env = o.env ?? process.env
  const file = readConfigFile(o.configFile ?? configFilePath(env)).atlas ?? {}
  let key: string | null = null
  let keySource: AtlasConfig['keySource'] = null
  for (const [v, src] of [
    [o.key, 'option'],
    [env[ATLAS_KEY_ENV], 'env'],
    [file.key, 'config'],
  ] as const) {
    const k = nonEmpty(v)
    if (k !== null) {
      key = validateKey(k)
      keySource = src
      break
    }
  }
  const apiUrl = nonEmpty(o.apiUrl) ?? nonEmpty(env[ATLAS_URL_ENV]) ?? nonEmpty(file.url) ?? DEFAULT_ATLAS_URL
  const streamUrl = nonEmpty(o.streamUrl) ?? nonEmpty(env[ATLAS_STREAM_URL_ENV]) ?? nonEmpty(file.streamUrl) ?? DEFAULT_ATLAS_STREAM_URL
  const out: AtlasConfig = {apiUrl: normalizeBaseUrl(apiUrl, 'api'), streamUrl: normalizeBaseUrl(streamUrl, 'stream'), key, keySource}
  const warning = keySource === 'config' ? secretFileWarning(o.configFile ?? configFilePath(env)) : null
  if (warning !== null) out.warning = warning
  return out
}

/**
 * Store the key in the config file (other settings in the file are kept). The directory is created
 * 0700 and the file written 0600 through a temporary file, so the key is never world-readable,
 * not even for a moment. Returns the path written.
 */
export async function saveAtlasKey(key: string, o: {env?: NodeJS.ProcessEnv; configFile?: string} = {}): Promise<string> {
  const k = validateKey(key)
  const path = o.configFile ?? configFilePath(o.env ?? process.env)
  await saveConfigValue(path, 'atlas', 'key', k)
  return path
}

/**
 * Replace every occurrence of a secret (as is, and URL-encoded) with "[redacted]". Used on every
 * string that can leave the client: messages, hints, URLs.
 */
export function redactSecrets(text: string, secrets: ReadonlyArray<string | null | undefined>): string {
  let out = text
  for (const s of secrets) {
    if (!s) continue
    for (const form of new Set([s, encodeURIComponent(s)])) out = out.split(form).join('[redacted]')
  }
  return out
}
