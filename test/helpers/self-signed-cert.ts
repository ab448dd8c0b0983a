// A self-signed certificate for https test servers on loopback, made with openssl (EC P-256, one
// day): the tests that need one skip when openssl is missing (haveOpenssl).
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

export const haveOpenssl = spawnSync('openssl', ['version']).status === 0

/** A key and a certificate for CN=`cn` (with subjectAltName DNS:`cn` when `san`), as https.createServer takes them. */
export function selfSignedCert(cn: string, opts: {san?: boolean} = {}): {key: Buffer; cert: Buffer} {
  const dir = mkdtempSync(join(tmpdir(), 'anyprobe-tls-'))
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-subj', `/CN=${cn}`,
      ...(opts.san ? ['-addext', `subjectAltName=DNS:${cn}`] : []),
    ], {stdio: 'ignore'})
    return {key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem'))}
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}
