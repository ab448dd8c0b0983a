// The kinds of anyprobe value the saved-measurement readers take, in one list: ./read.ts classifies
// by them, ./validate.ts checks a result's kind against them, and ./wrong-kind.ts tells a value of
// any other kind (another command's document: the wrong file, exit 2) from a damaged one of these
// (unusable input, exit 7) by them. A kind read.ts learns to read goes here, or wrong-kind.ts
// would call its files the wrong kind.

/** a result of one probe method (trace, dns, http --json; ping from RIPE Atlas) */
export const RESULT_KINDS: ReadonlySet<string> = new Set(['trace', 'dns', 'http', 'ping'])

/** every kind read.ts takes: results, outcome lines, multi and catchment documents, catchment --expect's verdict line, watch --out's start and history lines */
export const TAKEN_KINDS: ReadonlySet<string> = new Set([...RESULT_KINDS, 'outcome', 'multi', 'catchment', 'catchment-expect', 'watch-start', 'watch-history-start', 'watch-history-end', 'watch-unmeasured'])
