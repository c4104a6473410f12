import { BaseError, type TxEnvelope } from '@appchain/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { envelope } from '../test/txs.js'
import { createMempool } from './mempool.js'

type Op =
  | { kind: 'add'; sender: number; nonce: number; tip: number; size: number; tag: number }
  | { kind: 'placeHead'; sender: number }
  | { kind: 'drop'; pick: number }
  | { kind: 'setNonce'; sender: number; nonce: number }

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('add' as const),
      sender: fc.integer({ min: 1, max: 6 }),
      nonce: fc.integer({ min: 0, max: 12 }),
      tip: fc.integer({ min: 1, max: 50 }),
      size: fc.integer({ min: 50, max: 400 }),
      tag: fc.integer({ min: 0, max: 3 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('placeHead' as const), sender: fc.integer({ min: 1, max: 6 }) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('drop' as const), pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('setNonce' as const),
      sender: fc.integer({ min: 1, max: 6 }),
      nonce: fc.integer({ min: 0, max: 12 }),
    }),
  },
)

describe('createMempool (properties)', () => {
  it('keeps its invariants under any sequence of admissions, placements, drops and nonce moves', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), (ops) => {
        const limits = { maxPerSender: 5, maxCount: 12, maxBytes: 2500, maxNonceGap: 8 }
        const pool = createMempool(limits)
        const stateNonce = new Map<number, bigint>()
        const all = new Map<string, TxEnvelope>()
        for (const o of ops) {
          if (o.kind === 'add') {
            const tx = envelope(o.sender, o.nonce, {
              tip: BigInt(o.tip),
              max: BigInt(o.tip) * 10n,
              size: o.size,
              tag: o.tag,
            })
            const before = new Map([...pool.pending(), ...pool.queued()].map((t) => [t.hash, t]))
            try {
              const r = pool.add(tx, { stateNonce: stateNonce.get(o.sender) ?? 0n })
              for (const e of r.evicted) {
                // Never evict to admit one that pays the same or less, never from the newcomer's own sender.
                expect(e.fee.maxPriorityFeePerGas).toBeLessThan(tx.fee.maxPriorityFeePerGas)
                expect(e.sender).not.toBe(tx.sender)
                expect(before.has(e.hash)).toBe(true)
              }
              all.set(tx.hash, tx)
            } catch (e) {
              expect(e).toBeInstanceOf(BaseError)
            }
          } else if (o.kind === 'placeHead') {
            const sender = envelope(o.sender, 0).sender
            const head = pool.queue(sender)[0]
            if (head) {
              pool.markPlaced(head)
              stateNonce.set(o.sender, head.nonce + 1n)
            }
          } else if (o.kind === 'drop') {
            const txs = [...pool.pending(), ...pool.queued()]
            if (txs.length) pool.drop(txs[o.pick % txs.length]!.hash)
          } else {
            const current = stateNonce.get(o.sender) ?? 0n
            const next = BigInt(o.nonce) > current ? BigInt(o.nonce) : current
            stateNonce.set(o.sender, next)
            pool.setNonce(envelope(o.sender, 0).sender, next)
          }

          // Invariants.
          const pending = pool.pending()
          const queued = pool.queued()
          const inPool = [...pending, ...queued]
          expect(pool.count).toBe(inPool.length)
          expect(pool.bytes).toBe(inPool.reduce((s, t) => s + t.size, 0))
          expect(pool.count).toBeLessThanOrEqual(limits.maxCount)
          expect(pool.bytes).toBeLessThanOrEqual(limits.maxBytes)
          expect(new Set(inPool.map((t) => `${t.sender}:${t.nonce}`)).size).toBe(inPool.length)
          for (const sender of pool.allSenders()) {
            const mine = inPool.filter((t) => t.sender === sender)
            expect(mine.length).toBeLessThanOrEqual(limits.maxPerSender)
            const q = pool.queue(sender)
            // Pending is a gap-free run, and nothing queued could extend it.
            q.forEach((t, i) => i > 0 && expect(t.nonce).toBe(q[i - 1]!.nonce + 1n))
            const end = q.length ? q[q.length - 1]!.nonce + 1n : pool.pendingNonce(sender)!
            expect(pool.pendingNonce(sender)).toBe(end)
            expect(mine.some((t) => t.nonce === end)).toBe(false)
            for (const t of mine) expect(pool.get(t.hash)).toBe(t)
          }
          for (const s of pool.senders()) expect(pool.queue(s).length).toBeGreaterThan(0)
        }
      }),
      { numRuns: 300 },
    )
  })
})
