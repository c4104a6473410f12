import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createTicker } from './ticker.js'

// Fake timers and a fake clock: the ticker's scheduling logic is checked exactly, with no real waiting.
describe('createTicker', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: 0 })
  })
  afterEach(() => {
    vi.useRealTimers()
  })
  const now = () => Date.now()
  /** The event loop is blocked for `ms`: the clock jumps and every pending timer fires that much later. */
  const stall = (ms: number) => vi.setSystemTime(Date.now() + ms)

  it('fires at t0 + k × interval even when each tick takes time (no drift)', () => {
    const fired: number[] = []
    const ticker = createTicker({
      intervalMs: 100,
      now,
      onTick: () => {
        fired.push(Date.now())
        vi.advanceTimersByTime(30) // 30 ms of work inside the tick (no timer is due in it)
      },
    })
    ticker.start()
    vi.advanceTimersByTime(1000)
    ticker.stop()
    // (The nested 30 ms advances move the clock further than 1000 ms in total; every tick is still on the grid.)
    expect(fired.slice(0, 10)).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000])
    expect(fired.every((t, i) => t === (i + 1) * 100)).toBe(true)
  })

  it('after a late tick the next one is back on the grid', () => {
    const fired: number[] = []
    const ticker = createTicker({ intervalMs: 100, now, onTick: () => fired.push(Date.now()) })
    ticker.start()
    vi.advanceTimersByTime(150)
    stall(80) // slot 2 (due at 200) fires at 280
    vi.advanceTimersByTime(150)
    ticker.stop()
    expect(fired).toEqual([100, 280, 300])
  })

  it('skips the slots of a stall longer than an interval instead of bursting', () => {
    const slots: number[] = []
    const ticker = createTicker({
      intervalMs: 100,
      now,
      onTick: (s) => {
        slots.push(s)
        if (s === 2) stall(350) // slot 3 (due at 300) fires at 650
      },
    })
    ticker.start()
    vi.advanceTimersByTime(800)
    ticker.stop()
    // Slot 3 ran late; 4, 5 and 6 were skipped rather than fired back to back.
    expect(slots).toEqual([1, 2, 3, 7, 8, 9, 10, 11])
    expect(ticker.skipped).toBe(3)
  })

  it('stops cleanly and guards its interval', () => {
    const onTick = vi.fn()
    const ticker = createTicker({ intervalMs: 50, now, onTick })
    ticker.start()
    ticker.stop()
    vi.advanceTimersByTime(500)
    expect(onTick).not.toHaveBeenCalled()
    expect(() => createTicker({ intervalMs: 0, onTick })).toThrow(RangeError)
  })
})
