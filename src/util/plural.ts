// "1 round", "2 rounds", "0 rounds": a count with its noun, for text a person reads ("1 outages" read
// as a bug in the tool). English only; the plural is the noun + "s" unless given.

/** `n` and the noun agreeing with it: plural(1, 'probe') = "1 probe", plural(3, 'flap episode') = "3 flap episodes". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`
}
