// A plain, border-light table (like mtr's report) that reads well in a terminal and in a pasted
// issue. No colour: output is often piped, and colour codes in logs help nobody.
import Table from 'cli-table3'

const PLAIN = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
  bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '',
  right: '', 'right-mid': '', middle: '  ',
}

export function plainTable(head: string[], rows: string[][]): string {
  const t = new Table({head, chars: PLAIN, style: {head: [], border: [], 'padding-left': 0, 'padding-right': 0}})
  for (const r of rows) t.push(r)
  // cli-table3 pads the last column; trailing spaces only make diffs noisy
  return t.toString().split('\n').map((l) => l.trimEnd()).join('\n')
}

export function fmtMs(ms: number | null | undefined, digits = 1): string {
  return ms === null || ms === undefined ? '*' : ms.toFixed(ms < 10 ? Math.max(digits, 2) : digits)
}
