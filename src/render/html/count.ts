// A count and its noun, singular for one ("1 vantage point", "2 vantage points"): the pages said
// "1 vantage points", "1 rounds" and "vantage point(s)" where the CLI's tables say it right.
export function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`
}
