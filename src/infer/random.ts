// Parts of a name that a machine or a person's device picked, not an operator's site code: a
// code inside them is chance ("LAPTOP-LHR5K2A" holds LHR as a random string holds any letters).
// A DNS server answers hostname.bind / id.server with its host name by default (CoreDNS's chaos
// plugin returns os.Hostname(): coredns plugin/chaos/chaos.go; BIND and Unbound their
// gethostname()), so a resolver on a laptop, in a container or in a Kubernetes pod names itself
// so; reverse DNS of a home network's hosts does too. hostname.ts drops the readings of these
// parts, identity.ts says why when nothing is left.
import {labelParts} from './tokenize.js'

export interface RandomParts {
  /** indexes of the label's parts (labelParts) that carry nothing */
  parts: number[]
  /** why, for the reader */
  reason: string
}

/**
 * Windows' generated computer names: "DESKTOP-" or "LAPTOP-" and 7 random capitals and digits
 * when setup names the machine itself (Windows 10/11 OOBE: "DESKTOP-1D8K0YZ", techtarget.com
 * "Win10 ComputerName Generation", 2019; "DESKTOP-5PH9MNH" in windowsforum.com's renaming guide),
 * "WIN-" and 11 for Windows Server set-ups ("WIN-" named as the older prefix by the same guides).
 */
const WINDOWS_DEFAULT = /^(?:(?:DESKTOP|LAPTOP)-[A-Z0-9]{7,8}|WIN-[A-Z0-9]{11})$/i

/**
 * Apple devices name themselves after their owner and model: macOS's local host name is the
 * computer name with dashes ("Johns-MacBook-Pro", Sharing settings), iOS's "Johns-iPhone"; "MBP"
 * is the common short form. The owner's name is no place ("Austin", "Sydney", "Paris").
 */
const APPLE_MODEL = /(?:^|[^a-z])(?:macbook|imac|iphone|ipad|macmini)(?:$|[^a-z])/i
/**
 * The short forms "mbp", "mba" are also letters of site codes (MBA is Mombasa's airport:
 * "dr-01-mba", "mba01"), so they name a device only as a word beside its owner's, in a label of
 * words alone ("Johns-MBP", "anna-mba"); a router's label numbers its parts.
 */
const APPLE_SHORT = /(?:^|[^a-z])(?:mbp|mba)(?:$|[^a-z])/i
const WORDS_ONLY = /^[a-z]+(?:[-_][a-z]+)+$/i

/**
 * Kubernetes Deployment pods: "{deployment}-{replica-set hash}-{suffix}", both random from
 * apimachinery's vowel-free alphabet (k8s.io/apimachinery pkg/util/rand, "bcdfghjklmnpqrstvwxz2456789",
 * as opentelemetry-collector-contrib's k8s code quotes it): "coredns-5d78c9869d-lhr4k". The
 * deployment name is the operator's own and keeps its reading.
 */
const K8S = '[bcdfghjklmnpqrstvwxz2456789]'
const K8S_POD = new RegExp(`^[a-z0-9-]+-${K8S}{6,10}-${K8S}{5}$`)
/**
 * DaemonSet and Job pods carry only the 5-character suffix ("node-local-dns-lhr2k", the node-local
 * DNS cache's pods in kube-system; "kube-proxy-7xz2q"). Alone it could be a site code ("lhr25"), so
 * only a suffix that is not letters-then-digits (a letter after a digit, or a digit first) after a
 * workload name of words (one of 4+ letters, or two words) is taken.
 */
const K8S_DAEMON = new RegExp(`^(?:[a-z]{4,}|[a-z]+-[a-z]+)(?:-[a-z]+)*-(?=${K8S}*[0-9]${K8S}*$)(?![a-z]+[0-9]+$)${K8S}{5}$`)

/** A hex run of this length with letters and digits mixed is an ID or a hash (a container's host name is 12 hex digits of its ID). */
const HEX_ID = /^[0-9a-f]{8,}$/i
/** Letters and digits alternating this often in one part is no site code's shape ("LHR5K2A"; a site code is "fra03", "hcr01snaxtx40"). */
const RANDOM_SWITCHES = 4

function switches(part: string): number {
  let n = 0
  for (let i = 1; i < part.length; i++) {
    const a = part.charCodeAt(i - 1) <= 57
    const b = part.charCodeAt(i) <= 57
    if (a !== b) n++
  }
  return n
}

/** The random parts of one label, or null when it has none. */
export function randomParts(label: string): RandomParts | null {
  const parts = labelParts(label)
  const all = (reason: string): RandomParts => ({parts: parts.map((_, i) => i), reason})
  if (WINDOWS_DEFAULT.test(label)) return all(`${label} is a name Windows gives a computer (a prefix and random characters), not a site's`)
  if (APPLE_MODEL.test(label) || (APPLE_SHORT.test(label) && WORDS_ONLY.test(label))) return all(`${label} is a personal device's name (its owner and model), not a site's`)
  if (K8S_POD.test(label) && parts.length >= 3) {
    return {parts: [parts.length - 2, parts.length - 1], reason: `${label} is a Kubernetes pod name: its last two parts are random`}
  }
  if (K8S_DAEMON.test(label)) return {parts: [parts.length - 1], reason: `${label} is a Kubernetes pod name: its last part is random`}
  const random: number[] = []
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!
    const n = switches(p)
    if (n >= RANDOM_SWITCHES || (HEX_ID.test(p) && n >= 3)) random.push(i)
  }
  if (random.length === 0) return null
  return {parts: random, reason: `${random.map((i) => parts[i]).join(', ')} in ${label}: random characters (an ID, a hash or a serial), a code inside them is chance`}
}
