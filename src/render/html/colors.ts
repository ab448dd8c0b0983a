// Colours for PoPs: distinct, readable on white, in a fixed order so the biggest PoP (first in a
// catchment) always gets the same colour. Past the palette, hues are spread by the golden angle.
const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#e377c2', '#8c564b', '#bcbd22', '#393b79', '#637939', '#7b4173']

export const NO_POP = '#9e9e9e'
export const FAILED = '#616161'

export function popColor(index: number): string {
  if (index < PALETTE.length) return PALETTE[index]!
  return `hsl(${Math.round((index * 137.508) % 360)} 65% 45%)`
}

/** A colour per key, in first-seen order. */
export class ColorMap {
  private readonly map = new Map<string, string>()
  /** keys are PoP codes; case does not matter (a catchment says "fra", a watch "FRA") */
  get(key: string): string {
    key = key.toUpperCase()
    let c = this.map.get(key)
    if (c === undefined) {
      c = popColor(this.map.size)
      this.map.set(key, c)
    }
    return c
  }
  entries(): Array<[string, string]> {
    return [...this.map.entries()]
  }
}
