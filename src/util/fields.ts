// The columns of one line of a hand-made table (latency tables, site lists): tab, comma or semicolon
// separated when the line has one of them (first found wins, so a name with blanks stays whole in a
// tab-separated file), blank-separated otherwise.

export function splitFields(line: string): string[] {
  const sep = line.includes('\t') ? '\t' : line.includes(',') ? ',' : line.includes(';') ? ';' : null
  return (sep === null ? line.trim().split(/\s+/) : line.split(sep)).map((f) => f.trim())
}

const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?$/i

/** A plain decimal number ("52.31", "-0.46", "1e3"): not "", "0x10", "12ms" or "Infinity". */
export function isNumberField(s: string | undefined): boolean {
  return s !== undefined && NUMBER.test(s)
}
