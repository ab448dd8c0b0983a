// The list of vantage points a map cannot draw (no location, or failed), beside the map. A RIPE
// Atlas download read without --probes has hundreds of them: listed open they were a page-long
// column of ids that pushed everything else away, so a long list is folded under its count.
const OPEN_MAX = 12

/** `items` are finished <li> elements; the heading says how many. */
export function notOnMapList(items: readonly string[], heading = 'Not on the map'): string {
  if (items.length === 0) return ''
  const list = `<ul class="plain unplaced">${items.join('')}</ul>`
  const title = `${heading} (${items.length})`
  return items.length <= OPEN_MAX
    ? `<h3 style="font-size:14px;margin:8px 0 2px">${title}</h3>${list}`
    : `<details class="unplaced-list"><summary style="font-size:14px;font-weight:600;margin:8px 0 2px;cursor:pointer">${title}</summary>${list}</details>`
}
