// Name normalisation shared by every dictionary: "São Paulo", "SAO-PAULO" and "saopaulo" must meet.

const FOLD: Record<string, string> = {ß: 'ss', ø: 'o', œ: 'oe', æ: 'ae', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i', ħ: 'h'}
const FOLD_RE = /[ßøœæłđðþıħ]/g

/** Lower case, no diacritics, letters a-z only: `normName("Frankfurt am Main") === "frankfurtammain"`. */
export function normName(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(FOLD_RE, (c) => FOLD[c] ?? '')
    .replace(/[^a-z]/g, '')
}
