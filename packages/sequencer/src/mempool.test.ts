import {
  AlreadyKnownError,
  MempoolFullError,
  NonceTooLowError,
  ReplacementUnderpricedError,
  SenderQueueFullError,
} from '@appchain/core'
import { describe, expect, it } from 'vitest'
import { envelope } from '../test/txs.js'
import { NonceGapTooLargeError } from './errors.js'
import { createMempool } from './mempool.js'

const sender = (n: number) => envelope(n, 0).sender

describe('createMempool', () => {
  it('keeps pending (no gap) and queued (after a gap) apart and promotes when the gap fills', () => {
    const pool = createMempool()
    expect(pool.add(envelope(1, 0), { stateNonce: 0n }).status).toBe('pending')
    expect(pool.add(envelope(1, 2), { stateNonce: 0n }).status).toBe('queued')
    expect(pool.add(envelope(1, 3), { stateNonce: 0n }).status).toBe('queued')
    expect(pool.queue(sender(1)).map((t) => t.nonce)).toEqual([0n])
    expect(pool.queued().map((t) => t.nonce)).toEqual([2n, 3n])
    const r = pool.add(envelope(1, 1), { stateNonce: 0n })
    expect(r.status).toBe('pending')
    expect(r.promoted.map((t) => t.nonce)).toEqual([1n, 2n, 3n])
    expect(pool.queue(sender(1)).map((t) => t.nonce)).toEqual([0n, 1n, 2n, 3n])
    expect(pool.queued()).toEqual([])
    expect(pool.pendingNonce(sender(1))).toBe(4n)
  })

  it('starts a new sender at its state nonce and refuses lower nonces with NonceTooLowError', () => {
    const pool = createMempool()
    expect(() => pool.add(envelope(1, 4), { stateNonce: 5n })).toThrow(NonceTooLowError)
    expect(pool.add(envelope(1, 5), { stateNonce: 5n }).status).toBe('pending')
    const err = (() => {
      try {
        pool.add(envelope(1, 3, { tag: 1 }), { stateNonce: 5n })
      } catch (e) {
        return e as NonceTooLowError
      }
    })()
    expect(err?.data).toEqual({ address: sender(1), nonce: 3n, expected: 5n })
  })

  it('refuses a duplicate with AlreadyKnownError and nonces too far ahead with NonceGapTooLargeError', () => {
    const pool = createMempool({ maxNonceGap: 4 })
    pool.add(envelope(1, 0), { stateNonce: 0n })
    expect(() => pool.add(envelope(1, 0), { stateNonce: 0n })).toThrow(AlreadyKnownError)
    expect(pool.add(envelope(1, 3), { stateNonce: 0n }).status).toBe('queued')
    expect(() => pool.add(envelope(1, 4), { stateNonce: 0n })).toThrow(NonceGapTooLargeError)
  })

  it('replaces only with a bump of at least 10% on both fee fields', () => {
    const pool = createMempool()
    const a = envelope(1, 0, { tip: 100n, max: 1000n })
    pool.add(a, { stateNonce: 0n })
    // 9% on both, 10% on the tip only, 10% on the cap only: all refused.
    for (const [tip, max] of [
      [109n, 1090n],
      [110n, 1000n],
      [100n, 1100n],
    ] as const) {
      const e = (() => {
        try {
          pool.add(envelope(1, 0, { tip, max, tag: Number(tip + max) }), { stateNonce: 0n })
        } catch (err) {
          return err
        }
      })()
      expect(e).toBeInstanceOf(ReplacementUnderpricedError)
      expect((e as ReplacementUnderpricedError).data).toEqual({ hash: a.hash, minBumpPercent: 10 })
    }
    const b = envelope(1, 0, { tip: 110n, max: 1100n, tag: 9 })
    const r = pool.add(b, { stateNonce: 0n })
    expect(r.replaced).toBe(a)
    expect(r.promoted).toEqual([b])
    expect(pool.has(a.hash)).toBe(false)
    expect(pool.queue(sender(1))).toEqual([b])
    expect(pool.count).toBe(1)
  })

  it('caps each sender with SenderQueueFullError (replacements still allowed)', () => {
    const pool = createMempool({ maxPerSender: 2 })
    pool.add(envelope(1, 0), { stateNonce: 0n })
    pool.add(envelope(1, 1), { stateNonce: 0n })
    expect(() => pool.add(envelope(1, 2), { stateNonce: 0n })).toThrow(SenderQueueFullError)
    expect(
      pool.add(envelope(1, 1, { tip: 2_000_000_000n, max: 200_000_000_000n, tag: 1 }), { stateNonce: 0n }).replaced,
    ).toBeDefined()
    expect(pool.add(envelope(2, 0), { stateNonce: 0n }).status).toBe('pending')
  })

  it('when full by count, evicts the lowest-paying sender tail, never to admit a lower or equal payer', () => {
    const pool = createMempool({ maxCount: 3 })
    pool.add(envelope(1, 0, { tip: 5n }), { stateNonce: 0n })
    pool.add(envelope(1, 1, { tip: 50n }), { stateNonce: 0n })
    pool.add(envelope(2, 0, { tip: 20n }), { stateNonce: 0n })
    // Lowest tail: sender 2's 20 (sender 1's tail pays 50; its head 5 is not a tail, evicting it would leave a gap).
    const e = (() => {
      try {
        pool.add(envelope(3, 0, { tip: 20n }), { stateNonce: 0n })
      } catch (err) {
        return err
      }
    })()
    expect(e).toBeInstanceOf(MempoolFullError)
    expect((e as MempoolFullError).data).toEqual({ limit: 'count', max: 3 })
    const r = pool.add(envelope(3, 0, { tip: 21n }), { stateNonce: 0n })
    expect(r.evicted.map((t) => t.sender)).toEqual([sender(2)])
    expect(pool.count).toBe(3)
    expect(pool.has(envelope(2, 0, { tip: 20n }).hash)).toBe(false)
  })

  it('when full by bytes, evicts as many low payers as needed and keeps the sender queues gap-free', () => {
    const pool = createMempool({ maxBytes: 1000 })
    pool.add(envelope(1, 0, { tip: 10n, size: 400 }), { stateNonce: 0n })
    pool.add(envelope(1, 1, { tip: 1n, size: 300 }), { stateNonce: 0n })
    pool.add(envelope(2, 0, { tip: 5n, size: 300 }), { stateNonce: 0n })
    expect(() => pool.add(envelope(3, 0, { tip: 6n, size: 700 }), { stateNonce: 0n })).toThrow(MempoolFullError)
    expect(pool.count).toBe(3)
    const r = pool.add(envelope(3, 0, { tip: 11n, size: 700 }), { stateNonce: 0n })
    expect(r.evicted.map((t) => `${t.sender}:${t.nonce}`).sort()).toEqual(
      [`${sender(1)}:1`, `${sender(2)}:0`, `${sender(1)}:0`].sort(),
    )
    expect(pool.bytes).toBe(700)
    expect(pool.queue(sender(1))).toEqual([])
  })

  it('markPlaced moves the sender on; drop demotes later transactions until the gap is filled', () => {
    const pool = createMempool()
    const txs = [0, 1, 2, 3].map((n) => envelope(1, n))
    for (const tx of txs) pool.add(tx, { stateNonce: 0n })
    pool.markPlaced(txs[0]!)
    expect(pool.queue(sender(1)).map((t) => t.nonce)).toEqual([1n, 2n, 3n])
    pool.drop(txs[2]!.hash)
    expect(pool.queue(sender(1)).map((t) => t.nonce)).toEqual([1n])
    expect(pool.queued().map((t) => t.nonce)).toEqual([3n])
    const r = pool.add(envelope(1, 2, { tag: 7 }), { stateNonce: 1n })
    expect(r.promoted.map((t) => t.nonce)).toEqual([2n, 3n])
    expect(pool.pendingNonce(sender(1))).toBe(4n)
  })

  it('setNonce after a block removes what the block took and promotes what became executable', () => {
    const pool = createMempool()
    for (const n of [0, 1, 3, 4]) pool.add(envelope(1, n), { stateNonce: 0n })
    const r = pool.setNonce(sender(1), 3n)
    expect(r.removed.map((t) => t.nonce)).toEqual([0n, 1n])
    expect(r.promoted.map((t) => t.nonce)).toEqual([3n, 4n])
    expect(pool.queue(sender(1)).map((t) => t.nonce)).toEqual([3n, 4n])
    pool.setNonce(sender(1), 5n)
    expect(pool.count).toBe(0)
    expect([...pool.allSenders()]).toEqual([])
    expect([...pool.senders()]).toEqual([])
  })

  it('a higher state nonce passed at admission prunes stale entries', () => {
    const pool = createMempool()
    pool.add(envelope(1, 0), { stateNonce: 0n })
    pool.add(envelope(1, 1), { stateNonce: 0n })
    expect(pool.add(envelope(1, 2), { stateNonce: 2n }).status).toBe('pending')
    expect(pool.count).toBe(1)
    // Queued behind a gap that a deposit (not the pool) filled: promoted together with the newcomer.
    pool.add(envelope(2, 2), { stateNonce: 0n })
    pool.add(envelope(2, 3), { stateNonce: 0n })
    const r = pool.add(envelope(2, 4), { stateNonce: 2n })
    expect(r.promoted.map((t) => t.nonce)).toEqual([2n, 3n, 4n])
  })

  it('rejects impossible settings with RangeError', () => {
    expect(() => createMempool({ maxCount: 0 })).toThrow(RangeError)
    expect(() => createMempool({ priceBumpPercent: -1 })).toThrow(RangeError)
  })
})
