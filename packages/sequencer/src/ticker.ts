export interface Ticker {
  /** Starts at slot 0 = now; the first tick is one interval later. */
  start(): void
  stop(): void
  readonly running: boolean
  /** Slots skipped because the event loop stalled for more than a whole interval. */
  readonly skipped: number
}

/**
 * Calls `onTick` at `t0 + k × intervalMs`, each timer set from the intended time rather than from when the last
 * tick ran, so lateness never accumulates (a 100 ms block time stays 100 ms on average, not 100 ms + work).
 * When the loop stalled for more than a whole interval, the missed slots are skipped rather than fired in a burst.
 *
 * @example
 * ```ts
 * const ticker = createTicker({ intervalMs: 100, onTick: (slot) => sealBlock(slot) })
 * ticker.start()
 * ```
 */
export function createTicker(opts: {
  intervalMs: number
  onTick: (slot: number) => void
  now?: (() => number) | undefined
}): Ticker {
  const { intervalMs, onTick } = opts
  if (!Number.isFinite(intervalMs) || intervalMs <= 0) throw new RangeError(`intervalMs must be > 0: ${intervalMs}`)
  const now = opts.now ?? (() => performance.now())
  let timer: ReturnType<typeof setTimeout> | undefined
  let t0 = 0
  let slot = 0
  let skipped = 0
  let running = false

  const schedule = () => {
    slot++
    let target = t0 + slot * intervalMs
    const at = now()
    if (target < at - intervalMs) {
      const next = Math.ceil((at - t0) / intervalMs)
      skipped += next - slot
      slot = next
      target = t0 + slot * intervalMs
    }
    timer = setTimeout(
      () => {
        if (!running) return
        const current = slot
        schedule()
        onTick(current)
      },
      Math.max(0, target - at),
    )
  }

  return {
    start() {
      if (running) return
      running = true
      t0 = now()
      slot = 0
      schedule()
    },
    stop() {
      running = false
      if (timer) clearTimeout(timer)
      timer = undefined
    },
    get running() {
      return running
    },
    get skipped() {
      return skipped
    },
  }
}
