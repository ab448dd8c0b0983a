// The live view for people: one catchment line per vantage point and one line per event. On a
// terminal the catchment block stays at the bottom and is redrawn in place (at most 10 times a
// second); otherwise nothing is redrawn: each vantage point's first catchment is printed once,
// then only events.
import type {Observation, WatchEvent} from '../model/watch.js'
import {popSetName} from '../analysis/watch/analyzer.js'
import {type CatchmentOf, hintOf} from '../analysis/watch/hint.js'
import {type CatchmentLine, renderCatchmentLine, renderWatchEvent} from '../render/watch.js'

export class LiveView {
  private readonly lines = new Map<string, CatchmentLine>()
  private drawn = 0
  private timer: NodeJS.Timeout | null = null

  constructor(
    private readonly write: (text: string) => void,
    private readonly tty: boolean,
    /**
     * firstCatchment: off a terminal, print each vantage point's first catchment once (off when
     * `state` events say it). catchment: the analyser's confident catchment (its catchment()): a
     * hint of a PoP of it is no '?' (without it, every hint is said with its '?')
     */
    private readonly opts: {firstCatchment: boolean; catchment?: CatchmentOf} = {firstCatchment: true},
  ) {}

  observe(o: Observation): void {
    let c = this.lines.get(o.vantageId)
    const first = c === undefined
    if (!c) {
      c = {vantageId: o.vantageId, pop: null, rttMs: null, answered: 0, lost: 0}
      this.lines.set(o.vantageId, c)
    }
    const hadPop = c.pop !== null
    if (o.answered) {
      c.inOutage = false
      c.answered++
      c.rttMs = o.rttMs
      if (o.pop !== null) {
        const catchment = this.opts.catchment?.(o.vantageId) ?? null
        const agrees = catchment?.has(o.pop) === true
        // an answer from a PoP of a load-balanced catchment is that catchment (AMS+FRA, as the
        // summary and --metrics say it), not whichever flow answered last
        c.pop = agrees && catchment!.size > 1 ? popSetName(catchment!) : o.pop
        // a hint agreeing with the confident catchment is no hint now, as the analyser says it (NRT, not NRT?)
        c.popHint = hintOf(o) !== null && !agrees
      }
    } else {
      c.lost++
    }
    if (this.tty) this.schedule(first)
    else if (this.opts.firstCatchment && !hadPop && c.pop !== null) this.write(renderCatchmentLine(c) + '\n')
  }

  /** An event line; `text` replaces its default rendering (e.g. labelled with country and ASN). */
  event(e: WatchEvent, text?: string): void {
    if (e.type === 'summary') return
    const c = this.lines.get(e.vantageId)
    if (c && e.type === 'shift') {
      c.pop = e.to
      c.popHint = false
    }
    // the round that showed the set: the line says it at once, not at the next answer
    if (c && e.type === 'load-balanced') {
      c.pop = popSetName(e.pops)
      c.popHint = false
    }
    // the catchment block must not keep showing the last PoP while none answers
    if (c && e.type === 'outage') c.inOutage = true
    if (!this.tty) {
      this.write((text ?? renderWatchEvent(e)) + '\n')
      return
    }
    this.write(this.erase() + (text ?? renderWatchEvent(e)) + '\n' + this.block())
  }

  /** One line of text above the catchment block (the --expect events). */
  line(text: string): void {
    this.write(this.tty ? this.erase() + text + '\n' + this.block() : text + '\n')
  }

  /** Leave the terminal clean before the summary. */
  close(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    if (this.tty && this.drawn > 0) this.write(this.erase() + this.block())
    this.drawn = 0
  }

  private schedule(now: boolean): void {
    if (now) {
      this.redraw()
      return
    }
    if (this.timer) return
    this.timer = setTimeout(() => {
      this.timer = null
      this.redraw()
    }, 100)
    this.timer.unref()
  }

  private redraw(): void {
    this.write(this.erase() + this.block())
  }

  private erase(): string {
    const n = this.drawn
    this.drawn = 0
    return n === 0 ? '' : `\x1b[${n}A\r\x1b[J`
  }

  private block(): string {
    const ids = [...this.lines.keys()].sort()
    this.drawn = ids.length
    return ids.map((id) => renderCatchmentLine(this.lines.get(id)!) + '\n').join('')
  }
}
