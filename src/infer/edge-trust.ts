// Is a CDN's location header evidence of the edge that answered? Any server can write
// "CF-RAY: 0123456789abcdef-FRA" (an origin copying a header, a proxy passing one on from the CDN
// behind it, a test server), so a location header is believed as the answering PoP only when
// nothing speaks against it. Two things can:
// - the answering address's network (its ASN) belongs to another CDN or cloud whose own edges are
//   never in that vendor's network: the header came through it from further in (Fastly in front of
//   Cloudflare answers from AS54113 with the origin's cf-ray passed on), or was written by a host
//   in that cloud (an EC2 origin);
// - the ASN is known, belongs to none of these, and none of the vendor's other response headers
//   (Server: cloudflare beside cf-ray, Via ... (CloudFront) beside x-amz-cf-pop) is present. With
//   one present the header stays believed: a CDN also answers from its customers' own prefixes
//   (BYOIP) and from caches inside ISPs' networks, and those keep the vendor's headers.
// No ASN (private and documentation addresses, the lab; an address the database does not hold)
// says nothing: the header is read as before. src/infer/fuse.ts weighs what this says; the PoP
// verdict (src/infer/verdict.ts) stays the one place that decides.

/** The answering address's origin AS (src/enrich/asn.ts). */
export interface AnswerAsn {
  asn: number
  org: string | null
}

interface EdgeVendor {
  provider: string
  /** networks the vendor's own edges answer from; absent: not known (KeyCDN rents others') */
  asns?: readonly number[]
  /** the vendor's other response headers; one present supports its location header */
  companions: ReadonlyArray<{header: string; value: RegExp; shown: string}>
  /** its networks also host customers' servers (a cloud): a smaller CDN may rent a PoP there */
  hosting?: true
  /** the vendor has PoPs in networks it rents (clouds, hosters), not only in its own */
  rents?: true
}

/**
 * Vendors, by the provider names of HEADER_RULES (headers.ts), plus edge networks with no location
 * header of their own (Akamai, Google), whose ASN still shows who answered.
 * ASNs: mansourjabin/cdn-ip-database README (Akamai's list, Bunny AS200325, Edgecast AS15133,
 * CDNetworks AS36408) and the providers' PeeringDB records (Cloudflare AS13335 and AS209242,
 * Fastly AS54113, Amazon AS16509 and AS14618, Microsoft AS8075, Google AS15169 and AS396982,
 * Fly.io AS40509); the bundled GeoLite2 ASN database names them so (104.16.0.1 Cloudflare,
 * 151.101.1.1 Fastly, 13.32.0.1 and Vercel's 76.76.21.21 Amazon, 66.241.124.1 Fly.io).
 */
const VENDORS: readonly EdgeVendor[] = [
  {
    provider: 'cloudflare',
    asns: [13335, 209242],
    // Cloudflare adds Cf-Ray and cannot be made to change Server ("cloudflare"); every other origin
    // header passes through (cloudflare/cloudflare-docs PR #18945, fundamentals/reference/http-headers)
    companions: [{header: 'server', value: /^cloudflare(?:-nginx)?$/i, shown: 'server: cloudflare'}],
  },
  {
    provider: 'cloudfront',
    asns: [16509, 14618],
    hosting: true,
    // "via: 1.1 2441....cloudfront.net (CloudFront)", "x-amz-cf-id: Rwbs...==", "x-cache: Miss from
    // cloudfront" beside x-amz-cf-pop (aws-amplify/amplify-hosting issue #592)
    companions: [
      {header: 'via', value: /\.cloudfront\.net \(CloudFront\)/i, shown: 'via ... (CloudFront)'},
      {header: 'x-amz-cf-id', value: /^[A-Za-z0-9_=-]{20,}$/, shown: 'x-amz-cf-id'},
      {header: 'x-cache', value: /\bfrom cloudfront\b/i, shown: 'x-cache ... from cloudfront'},
    ],
  },
  {
    provider: 'fastly',
    asns: [54113],
    // "X-Served-By: ..., cache-fra1229-FRA" with "X-Cache: ORIGIN, MISS, MISS" (Wikia/app PR #2681);
    // Fastly appends "1.1 varnish" to Via; X-Timer "S1553010731.965402,VS0,VE763" (adobe/
    // fastly-native-promises issue #30, docs.fastly.com "understanding the X-Timer header")
    companions: [
      {header: 'x-cache', value: /^(?:[a-z]+\s*,\s*)*(?:HIT|MISS|PASS|ERROR)(?:\s*,\s*[a-z]+)*$/i, shown: 'x-cache'},
      {header: 'via', value: /(?:^|,)\s*(?:HTTP\/)?[0-9.]+ varnish\b/i, shown: 'via: 1.1 varnish'},
      {header: 'x-timer', value: /^S\d+\.\d+,VS\d+/, shown: 'x-timer'},
    ],
  },
  // Vercel's edge answers from Amazon's network (76.76.21.21 is AS16509); Server "Vercel", X-Vercel-Cache
  {
    provider: 'vercel',
    asns: [16509],
    hosting: true,
    companions: [
      {header: 'server', value: /^Vercel$/i, shown: 'server: Vercel'},
      {header: 'x-vercel-cache', value: /^[A-Z]+$/i, shown: 'x-vercel-cache'},
    ],
  },
  // Fly's proxy: Server "Fly/{hash} (date)", Via "1.1 fly.io" (headers.ts VIA_WRITERS)
  {
    provider: 'fly',
    asns: [40509],
    hosting: true,
    companions: [
      {header: 'server', value: /^Fly\//i, shown: 'server: Fly/...'},
      {header: 'via', value: /\bfly\.io\b/i, shown: 'via ... fly.io'},
    ],
  },
  // bunny.net's CDN-* response headers (CDN-PullZone, CDN-Uid, CDN-RequestId, CDN-Cache; support.
  // bunny.net "CDN-ServerId" article cited in CIDRAM/CIDRAM issue #56). Bunny also has PoPs in
  // rented networks: those keep these headers, so only a lone Server header is doubted there.
  {
    provider: 'bunny',
    asns: [200325],
    rents: true,
    companions: [
      {header: 'cdn-pullzone', value: /^\d+$/, shown: 'cdn-pullzone'},
      {header: 'cdn-requestid', value: /^[0-9a-f]{16,}$/i, shown: 'cdn-requestid'},
      {header: 'cdn-cache', value: /^[A-Z]+$/i, shown: 'cdn-cache'},
    ],
  },
  {provider: 'edgecast', asns: [15133], companions: []},
  // Azure Front Door and Microsoft's edge: X-Cache TCP_HIT / TCP_MISS / CONFIG_NOCACHE (learn.
  // microsoft.com, Azure Front Door "HTTP headers protocol support")
  {provider: 'azure-front-door', asns: [8075], hosting: true, companions: [{header: 'x-cache', value: /^(?:TCP_[A-Z_]+|CONFIG_NOCACHE|PRIVATE_NOSTORE|UNCACHEABLE)$/, shown: 'x-cache'}]},
  {provider: 'microsoft-edge', asns: [8075], hosting: true, companions: [{header: 'x-cache', value: /^(?:TCP_[A-Z_]+|CONFIG_NOCACHE|PRIVATE_NOSTORE|UNCACHEABLE)$/, shown: 'x-cache'}]},
  // edge networks without a location header in the table: their ASN still shows who answered
  {provider: 'akamai', asns: [20940, 16625, 12222, 16702, 17204, 18680, 18717, 20189, 21342, 21357, 21399, 22207, 23454, 23455, 31107, 31108, 31109, 31110, 33905, 34164, 35994, 393560], companions: []},
  {provider: 'google', asns: [15169, 396982], hosting: true, companions: []},
]

const BY_PROVIDER = new Map(VENDORS.map((v) => [v.provider, v]))

/** Which vendor's edges answer from this AS (the first listed for a shared one); null when none. */
function edgeNetwork(asn: number): EdgeVendor | null {
  return VENDORS.find((v) => v.asns?.includes(asn) === true) ?? null
}

function asText(a: AnswerAsn): string {
  const org = a.org === null ? '' : a.org.length > 60 ? `${a.org.slice(0, 59)}…` : a.org
  return org === '' ? `AS${a.asn}` : `AS${a.asn} (${org})`
}

/** The vendor's other headers present in the response, as shown in a reason. */
function companionsPresent(v: EdgeVendor, header: (name: string) => string | null): string[] {
  const out: string[] = []
  for (const c of v.companions) {
    const value = header(c.header)
    if (value !== null && c.value.test(value.trim())) out.push(c.shown)
  }
  return out
}

/**
 * Of the providers whose location headers were read, those whose header is not evidence of the
 * edge that answered, each with why. `header` gives a response header's value (lower-case name).
 * Providers not named in the result are believed as before.
 */
export function edgeDoubts(providers: Iterable<string>, header: (name: string) => string | null, answer: AnswerAsn | null): Map<string, string> {
  const out = new Map<string, string>()
  if (answer === null) return out
  const network = edgeNetwork(answer.asn)
  for (const p of providers) {
    const v = BY_PROVIDER.get(p)
    if (v?.asns?.includes(answer.asn) === true) continue
    // No vendor's edge answers from another CDN's own network (Cloudflare's, Fastly's, Akamai's),
    // and the large vendors of this table none from a cloud (Amazon, Azure, Google): the header
    // was passed on. A smaller CDN (Bunny, KeyCDN, ...) may rent a PoP in a cloud: its
    // headers there are judged as from any other network, below.
    const rented = v === undefined || v.rents === true
    if (network !== null && (network.hosting !== true || !rented)) {
      out.set(p, `${asText(answer)} answered, ${network.provider}'s network: passed on from further in`)
      continue
    }
    // an ASN of no edge vendor: a customer's own prefix or an ISP's embedded cache keeps the vendor's other headers
    if (v?.asns === undefined || companionsPresent(v, header).length > 0) continue
    const wanted = v.companions.map((c) => c.shown).join(' or ')
    out.set(p, `${asText(answer)} answered, not ${p}'s network, and no ${wanted || `other ${p} header`} beside it`)
  }
  return out
}

/** Providers the answering address's ASN shows to be the edge that answered (none when unknown). */
export function answeringProviders(answer: AnswerAsn | null): ReadonlySet<string> {
  if (answer === null) return new Set()
  return new Set(VENDORS.filter((v) => v.asns?.includes(answer.asn) === true).map((v) => v.provider))
}
