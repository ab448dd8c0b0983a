// --no-asn with --asn-db: the one decision trace and the plan (catchment --method trace,
// trace --from; src/console/plan.ts) make. --no-asn looks no hop ASN up, so the database was never
// opened and nothing said (review finding): the two contradict each other, and contradictory flags
// are refused (E_USAGE, exit 2), as --ipv4 with --ipv6 and sites --input with --from are, rather
// than one of them chosen for the user.
import {AnyprobeError, EXIT} from '../model/errors.js'

/** Throws E_USAGE when `asn` is false (--no-asn) and --asn-db names a file. */
export function refuseAsnDbWithoutAsn(asn: unknown, asnDbs: readonly string[] | undefined): void {
  if (asn !== false || asnDbs === undefined || asnDbs.length === 0) return
  throw new AnyprobeError('E_USAGE', '--no-asn and --asn-db do not go together: with --no-asn no hop ASN is looked up, so the database would not be read', {
    hint: 'drop --no-asn to look hop ASNs up in the --asn-db file first, or drop --asn-db to look none up',
    exitCode: EXIT.usage,
  })
}
