// Natural order for ids and PoP codes ("vp2" before "vp10"), shared by every sorted document.
// The collator is made on first use: creating one loads ICU data (~4 ms at start-up), which a
// plain trace never needs.
let collator: Intl.Collator | undefined

export function naturalCompare(a: string, b: string): number {
  return (collator ??= new Intl.Collator('en', {numeric: true})).compare(a, b)
}
