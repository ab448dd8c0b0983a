// A plain, border-light table (like mtr's report) that reads well in a terminal and in a pasted
// issue. No colour: output is often piped, and colour codes in logs help nobody.
//
// Laid out here rather than by cli-table3: its layout of multi-line cells is cubic in their lines
// (a DNS reply with 100 TXT records in one cell took 90 s, 200 took minutes). This is linear, and
// gives what cli-table3 gave with these settings (no borders, no padding, two spaces between
// columns, cells top-aligned, the widest line of a column sets its width); a test compares them.

/** Columns a character takes in a terminal: 0 for controls and combining marks, 2 for wide (East Asian, emoji). */
function charWidth(cp: number): number {
  if (cp <= 0x1f || (cp >= 0x7f && cp <= 0x9f)) return 0
  if (cp >= 0x300 && cp <= 0x36f) return 0
  if (
    cp >= 0x1100 &&
    (cp <= 0x115f ||
      cp === 0x2329 ||
      cp === 0x232a ||
      (cp >= 0x2e80 && cp <= 0x3247 && cp !== 0x303f) ||
      (cp >= 0x3250 && cp <= 0x4dbf) ||
      (cp >= 0x4e00 && cp <= 0xa4c6) ||
      (cp >= 0xa960 && cp <= 0xa97c) ||
      (cp >= 0xac00 && cp <= 0xd7a3) ||
      (cp >= 0xf900 && cp <= 0xfaff) ||
      (cp >= 0xfe10 && cp <= 0xfe19) ||
      (cp >= 0xfe30 && cp <= 0xfe6b) ||
      (cp >= 0xff01 && cp <= 0xff60) ||
      (cp >= 0xffe0 && cp <= 0xffe6) ||
      (cp >= 0x1b000 && cp <= 0x1b001) ||
      (cp >= 0x1f200 && cp <= 0x1f251) ||
      (cp >= 0x1f300 && cp <= 0x1faff) ||
      (cp >= 0x20000 && cp <= 0x3fffd))
  ) {
    return 2
  }
  return 1
}

/** Display width of one line of text. */
export function displayWidth(s: string): number {
  let w = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x7f && c >= 0x20) {
      w++
      continue
    }
    const cp = s.codePointAt(i)!
    if (cp > 0xffff) i++
    w += charWidth(cp)
  }
  return w
}

export function plainTable(head: string[], rows: string[][]): string {
  const all = [head, ...rows]
  const cols = Math.max(0, ...all.map((r) => r.length))
  // every cell as its lines, with their widths (measured once)
  const cells = all.map((r) => Array.from({length: cols}, (_, c) => String(r[c] ?? '').split('\n')))
  const widths = cells.map((r) => r.map((lines) => lines.map(displayWidth)))
  const colW = Array.from({length: cols}, (_, c) => Math.max(1, ...widths.map((r) => Math.max(...r[c]!))))
  const out: string[] = []
  for (let i = 0; i < cells.length; i++) {
    const row = cells[i]!
    const height = Math.max(1, ...row.map((lines) => lines.length))
    for (let l = 0; l < height; l++) {
      let line = ''
      for (let c = 0; c < cols; c++) {
        const text = row[c]![l] ?? ''
        const w = widths[i]![c]![l] ?? 0
        line += (c > 0 ? '  ' : '') + text + ' '.repeat(Math.max(0, colW[c]! - w))
      }
      // trailing spaces only make diffs noisy
      out.push(line.trimEnd())
    }
  }
  return out.join('\n')
}

export function fmtMs(ms: number | null | undefined, digits = 1): string {
  return ms === null || ms === undefined ? '*' : ms.toFixed(ms < 10 ? Math.max(digits, 2) : digits)
}
