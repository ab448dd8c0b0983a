// When a named PoP is a verdict and when only a hint: the one rule `diff` (what pages on a move),
// `--expect` (what breaks a rule) and the inference (a tie of contradicting sources stays under it)
// all apply, so no command pages on a naming another calls a hint.

/**
 * A verdict under this confidence is a hint, not a PoP: the inference keeps a lone server name's
 * readings ("fra1") below it on purpose (src/infer/identity.ts, "below the 0.5 of a confident place"),
 * and two sources that contradict each other with equal weight below it too (src/infer/fuse.ts).
 */
export const CONFIDENT_POP = 0.5

/** Is this PoP named confidently enough to act on (page, break a rule)? false for none. */
export function isConfidentPop(p: {confidence: number} | null | undefined): boolean {
  return p !== null && p !== undefined && Number.isFinite(p.confidence) && p.confidence >= CONFIDENT_POP
}

/**
 * Is a PoP code named with this confidence only a hint? false without a code, and false when the
 * confidence is not known (older files, a backend that does not say): judged as a verdict, as before.
 */
export function isHintedPop(pop: string | null, popConfidence: number | null | undefined): boolean {
  return pop !== null && popConfidence !== undefined && popConfidence !== null && !isConfidentPop({confidence: popConfidence})
}
