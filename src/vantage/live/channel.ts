// A push-to-pull bridge: callbacks (a round loop's observations, a child's lines) push events,
// one consumer iterates them in order. Unbounded: a live run's events are few per round and the
// consumer (the watch session) handles each at once.
export class Channel<T> implements AsyncIterable<T> {
  private readonly items: T[] = []
  private waiting: (() => void) | null = null
  private closed = false
  private failure: {error: unknown} | null = null

  push(item: T): void {
    if (this.closed) return
    this.items.push(item)
    this.wake()
  }

  /** no more items; the iteration ends after the queued ones (with `error`: then throws it) */
  close(error?: unknown): void {
    if (this.closed) return
    this.closed = true
    if (error !== undefined) this.failure = {error}
    this.wake()
  }

  private wake(): void {
    const w = this.waiting
    this.waiting = null
    w?.()
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      while (this.items.length > 0) yield this.items.shift()!
      if (this.closed) {
        if (this.failure) throw this.failure.error
        return
      }
      await new Promise<void>((resolve) => (this.waiting = resolve))
    }
  }
}
