// PoP inference: location hints from router names, DNS identities and CDN headers, the RTT bound,
// and their fusion into one verdict with evidence. Dictionaries live in ../geo and load lazily.
export {hostnameHint, hostnameHints, hintForHop, hostnameCandidates} from './hostname.js'
export {parseDnsIdentity, dnsIdentityHint, identityCandidates, googleDnsSite, IDENTITY_FORMATS, type IdentityFormat} from './identity.js'
export {
  parseHeader,
  parseHeaders,
  parseHeaderFull,
  isPopHeader,
  decodeAzureRef,
  HEADER_RULES,
  type HeaderRule,
  type HeaderReading,
  type HeaderParse,
} from './headers.js'
export {parseVpLocation, rttFeasibility, type VpLocation, type Feasibility} from './rtt.js'
export {inferPop, inferPopExplained, popExplanation, NOT_REACHED, reliability, type Observation, type InferOptions, type ExplainedVerdict} from './fuse.js'
export {OPERATORS, operatorFor, splitDomain, type OperatorRule, type OperatorCodes, type DomainSplit} from './domains.js'
export {labelInfo, labelParts, tokenRaw, type Token, type LabelInfo} from './tokenize.js'
export {readingsOf, type Reading} from './codes.js'
export {toHint, safeText, type Candidate} from './candidate.js'
export {resolveStated, type StatedType} from './resolve.js'
