// Where Globalping lives and which token to use. The token is optional (anonymous use is allowed,
// with a lower hourly limit): ANYPROBE_GLOBALPING_TOKEN, else the anyprobe config file (the same
// file, path and 0600 handling as the RIPE Atlas key, under "globalping": {"token": ...}). The API
// base: ANYPROBE_GLOBALPING_URL, else the file's "globalping": {"url": ...}, else the public API.
//
// The token is a secret: it only ever travels as `Authorization: Bearer <token>` (client.ts) and
// every message that leaves the client goes through redactSecrets.
import {AnyprobeError, EXIT} from '../../model/errors.js'
import {configFilePath, readConfigFile, secretShapeProblem} from '../atlas/config.js'

export const DEFAULT_GLOBALPING_URL = 'https://api.globalping.io/v1'
export const GLOBALPING_URL_ENV = 'ANYPROBE_GLOBALPING_URL'
export const GLOBALPING_TOKEN_ENV = 'ANYPROBE_GLOBALPING_TOKEN'

export const TOKEN_HINT =
  'a token (from https://dash.globalping.io/tokens) doubles the hourly limit: `export ANYPROBE_GLOBALPING_TOKEN=<token>` ' +
  'or store it with `anyprobe config set globalping-token -` (then paste it; saved in the config file with mode 0600)'

export interface GlobalpingConfig {
  /** API base without a trailing slash, e.g. https://api.globalping.io/v1 */
  apiUrl: string
  token: string | null
  /** where the token came from (never the token itself) */
  tokenSource: 'option' | 'env' | 'config' | null
}

export interface GlobalpingConfigOverrides {
  token?: string | null
  apiUrl?: string | null
  env?: NodeJS.ProcessEnv
  configFile?: string
}

function nonEmpty(v: unknown): string | null {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : null
}

/** A token goes into a header: printable ASCII only, so it can neither break nor smuggle one. */
export function validateToken(token: string): string {
  const t = token.trim()
  const problem = secretShapeProblem(t, 8, 500)
  if (problem !== null) throw new AnyprobeError('E_USAGE', `the Globalping token is not a valid token: ${problem}`, {hint: TOKEN_HINT, exitCode: EXIT.usage})
  return t
}

export function normalizeGlobalpingUrl(url: string): string {
  let u: URL
  try {
    u = new URL(url.trim())
  } catch {
    throw new AnyprobeError('E_USAGE', `${GLOBALPING_URL_ENV} is not a URL`, {hint: `set it to a URL like ${DEFAULT_GLOBALPING_URL}`, exitCode: EXIT.usage})
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.username !== '' || u.password !== '') {
    throw new AnyprobeError('E_USAGE', `"${u.protocol}//${u.host}" is not a usable Globalping API URL`, {hint: 'use an http(s) URL without credentials in it', exitCode: EXIT.usage})
  }
  return u.toString().replace(/\/+$/, '')
}

/** Options beat the environment, the environment beats the config file, the file beats defaults. */
export function loadGlobalpingConfig(o: GlobalpingConfigOverrides = {}): GlobalpingConfig {
  const env = o.env ?? process.env
  const section = readConfigFile(o.configFile ?? configFilePath(env)).globalping
  const file = (section !== null && typeof section === 'object' ? section : {}) as {token?: unknown; url?: unknown}
  let token: string | null = null
  let tokenSource: GlobalpingConfig['tokenSource'] = null
  for (const [v, src] of [
    [o.token, 'option'],
    [env[GLOBALPING_TOKEN_ENV], 'env'],
    [file.token, 'config'],
  ] as const) {
    const t = nonEmpty(v)
    if (t !== null) {
      token = validateToken(t)
      tokenSource = src
      break
    }
  }
  const apiUrl = normalizeGlobalpingUrl(nonEmpty(o.apiUrl) ?? nonEmpty(env[GLOBALPING_URL_ENV]) ?? nonEmpty(file.url) ?? DEFAULT_GLOBALPING_URL)
  return {apiUrl, token, tokenSource}
}
