// Where the map's labels and marks go so they can be read: each label beside its mark where it
// overlaps no other label and no other mark (tried right, left, above, below, the diagonals, then
// farther out with a leader line), or not drawn at all (its name stays in the table and the mark's
// hover text); marks that fall on one spot (probes of one town) spread on a small ring around it.
// Pure: pixel geometry in, positions out, for the tests. Text widths are estimated (the page draws
// SVG text in the browser's sans-serif: DejaVu Sans on Debian, one of the widest), on the wide side.

export interface Box {
  x0: number
  y0: number
  x1: number
  y1: number
}

export interface LabelWanted {
  /** the mark's centre and half-size: the label is placed outside it */
  x: number
  y: number
  r: number
  text: string
  /** font size, px, and whether it is drawn bold (the page's .lbl is 600) */
  size: number
  bold?: boolean
}

export interface LabelPlaced {
  /** the text's anchor point (SVG x, baseline y) and text-anchor */
  x: number
  y: number
  anchor: 'start' | 'middle' | 'end'
  box: Box
  /** placed away from its mark: draw a line from the mark to the label */
  leader: boolean
}

/** A mark others' labels must not cover; `owner` is the index of the label it belongs to (not an obstacle to that one). */
export interface Obstacle extends Box {
  owner?: number
}

/** Width of a text in px: DejaVu Sans averages ~0.6 em a character (bold ~0.67); the halo stroke adds 3 px. */
export function textWidth(text: string, size: number, bold = false): number {
  let em = 0
  for (const ch of text) em += /[ .,:;'|il!]/.test(ch) ? 0.32 : /[A-Z0-9mwMW@]/.test(ch) ? (bold ? 0.78 : 0.72) : bold ? 0.66 : 0.6
  return em * size + 3
}

export function overlaps(a: Box, b: Box): boolean {
  return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1
}

/** A box around a point, of half-size r. */
export const boxAround = (x: number, y: number, r: number): Box => ({x0: x - r, y0: y - r, x1: x + r, y1: y + r})

function candidate(l: LabelWanted, dir: number, far: boolean, width: number): LabelPlaced {
  const gap = (far ? l.size * 1.6 : 0) + 3
  const asc = l.size * 0.8
  const desc = l.size * 0.25
  // dx, dy of the anchor from the mark, per direction: right, left, above, below, NE, NW, SE, SW
  const d = l.r + gap
  const diag = l.r * 0.75 + gap
  const table: Array<[number, number, LabelPlaced['anchor']]> = [
    [d, asc / 2 - desc / 2, 'start'],
    [-d, asc / 2 - desc / 2, 'end'],
    [0, -d - desc, 'middle'],
    [0, d + asc, 'middle'],
    [diag, -diag - desc, 'start'],
    [-diag, -diag - desc, 'end'],
    [diag, diag + asc, 'start'],
    [-diag, diag + asc, 'end'],
  ]
  const [dx, dy, anchor] = table[dir]!
  const x = l.x + dx
  const y = l.y + dy
  const x0 = anchor === 'start' ? x : anchor === 'end' ? x - width : x - width / 2
  return {x, y, anchor, box: {x0, y0: y - asc - 1.5, x1: x0 + width, y1: y + desc + 1.5}, leader: far}
}

/**
 * Places the labels in the order given (the first are the most important: they get the best spot),
 * each where it overlaps no label placed before, no obstacle but its own mark, and stays inside the
 * map; null when there is no such spot (the caller keeps its name elsewhere).
 */
export function placeMapLabels(wanted: readonly LabelWanted[], opts: {width: number; height: number; obstacles?: readonly Obstacle[]}): Array<LabelPlaced | null> {
  const placed: Box[] = []
  const obstacles = opts.obstacles ?? []
  return wanted.map((l, i) => {
    const w = textWidth(l.text, l.size, l.bold)
    for (const far of [false, true]) {
      for (let dir = 0; dir < 8; dir++) {
        const c = candidate(l, dir, far, w)
        const b = c.box
        if (b.x0 < 0 || b.y0 < 0 || b.x1 > opts.width || b.y1 > opts.height) continue
        if (placed.some((p) => overlaps(p, b))) continue
        if (obstacles.some((o) => o.owner !== i && overlaps(o, b))) continue
        placed.push(b)
        return c
      }
    }
    return null
  })
}

/**
 * Marks closer than `minDist` px (transitively: one town's probes) spread evenly on a ring around
 * their centre, so each can be seen and clicked; a lone mark stays where it is. Returns each mark's
 * drawn position and, for a spread one, the true spot (`from`) to draw a spoke from.
 */
export function spreadColocated(points: ReadonlyArray<[number, number]>, minDist: number): Array<{x: number; y: number; from: [number, number] | null}> {
  const out = points.map(([x, y]) => ({x, y, from: null as [number, number] | null}))
  for (const m of clusters(points, minDist)) {
    const cx = m.reduce((a, i) => a + points[i]![0], 0) / m.length
    const cy = m.reduce((a, i) => a + points[i]![1], 0) / m.length
    // neighbours on the ring at least minDist apart, and the ring at least minDist out
    const ring = Math.max(minDist, (m.length * minDist) / (2 * Math.PI))
    m.forEach((i, k) => {
      const a = -Math.PI / 2 + (2 * Math.PI * k) / m.length
      out[i] = {x: cx + ring * Math.cos(a), y: cy + ring * Math.sin(a), from: [cx, cy]}
    })
  }
  return out
}

/** Groups of marks closer than `minDist` px to another of the group (transitively), of two or more, each as indexes. */
export function clusters(points: ReadonlyArray<[number, number]>, minDist: number): number[][] {
  const group = points.map((_, i) => i)
  const find = (i: number): number => (group[i] === i ? i : (group[i] = find(group[i]!)))
  // sorted by x, so only neighbours within minDist in x are compared (thousands of probes)
  const order = points.map((_, i) => i).sort((a, b) => points[a]![0] - points[b]![0])
  for (let a = 0; a < order.length; a++) {
    const i = order[a]!
    for (let b = a + 1; b < order.length && points[order[b]!]![0] - points[i]![0] < minDist; b++) {
      const j = order[b]!
      if (Math.hypot(points[i]![0] - points[j]![0], points[i]![1] - points[j]![1]) < minDist) group[find(i)] = find(j)
    }
  }
  const members = new Map<number, number[]>()
  points.forEach((_, i) => {
    const g = find(i)
    const m = members.get(g)
    if (m) m.push(i)
    else members.set(g, [i])
  })
  return [...members.values()].filter((m) => m.length > 1)
}
