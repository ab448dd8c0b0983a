// The resolver of an http request's name: the system's (or a test's), with the one target-address
// rule of dns and trace (util/target.ts unprobeable) applied to what it answers. http refused
// 0.0.0.0, :: and multicast given as the target, but a name was resolved inside the request, out of
// reach of that check: a name a DNS filter blocks (Pi-hole answers 0.0.0.0 and ::) was probed, and
// 0.0.0.0 reaches this host itself, whose own server then read as the service's PoP.
import {lookup as systemLookup, type LookupAddress} from 'node:dns'
import type {LookupFunction} from 'node:net'

import {describeAddress, parseAddress, unprobeable} from '../../util/target.js'

type Callback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void

/** Why `address` (an answer for `name`) cannot be probed (E_RESOLVE, exit 3, with the hint), or null. */
function refusal(name: string, address: string): Error | null {
  const parsed = parseAddress(address)
  return parsed === null ? null : unprobeable(describeAddress(address, parsed, true), name)
}

/**
 * `resolve` (default: the system's dns.lookup), refusing the answer when the address a connection
 * would go to first cannot be probed, as resolveTarget refuses a name's first address; an unprobeable
 * address later in a list (Node tries each in turn, happy eyeballs) is dropped.
 */
export function refusingLookup(resolve: LookupFunction = systemLookup as unknown as LookupFunction): LookupFunction {
  return ((hostname: string, options: {all?: boolean}, callback: Callback): void => {
    ;(resolve as unknown as (h: string, o: unknown, cb: Callback) => void)(hostname, options, (err, address, family) => {
      if (err !== null) return callback(err, address, family)
      const list = Array.isArray(address) ? address : [{address, family: family ?? 4}]
      // no address at all (a resolver given to us may answer so): Node's connect would throw
      // outside the request (uncaught); it is the "no such name" it means
      if (list.length === 0) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {code: 'ENOTFOUND', hostname}), Array.isArray(address) ? [] : '', family)
      const refused = refusal(hostname, list[0]!.address)
      // the error as it is: the request's error handler keeps an AnyprobeError (request.ts toHttpError)
      if (refused !== null) return callback(refused as NodeJS.ErrnoException, Array.isArray(address) ? [] : '', family)
      if (!Array.isArray(address)) return callback(null, address, family)
      callback(null, address.filter((a) => refusal(hostname, a.address) === null))
    })
  }) as unknown as LookupFunction
}
