import type { Address } from '@appchain/core'
import { nibbleOf, shardNibbles } from '@appchain/state'
import { describe, expect, it } from 'vitest'
import { nibbleOwners, shardPlan } from './shardPlan.js'

const addr = (i: number) => `0x${i.toString(16).padStart(40, '0')}` as Address

describe('shardPlan', () => {
  it('puts a sender with every transaction that touches it, on the worker owning its first sender', () => {
    const [a, b, c, d] = [addr(1), addr(2), addr(3), addr(4)]
    const txs = [
      { sender: a, reads: [], writes: [b] },
      { sender: c, reads: [], writes: [d] },
      // Reads a: waits for a's group (its hold and refund).
      { sender: d, reads: [a], writes: [] },
      { sender: b, reads: [], writes: [] },
    ]
    const owners = nibbleOwners(2)
    const { worker, groups } = shardPlan(txs, 2)
    // a, b (tx 0, 3) and c, d (tx 1) joined with tx 2 through a and d: one group.
    expect(groups).toBe(1)
    expect([...worker]).toEqual([0, 0, 0, 0].map(() => owners[nibbleOf(a)]))
    const apart = shardPlan(
      [
        { sender: a, reads: [], writes: [] },
        { sender: c, reads: [], writes: [] },
      ],
      4,
    )
    expect(apart.groups).toBe(2)
    expect([...apart.worker]).toEqual([nibbleOwners(4)[nibbleOf(a)], nibbleOwners(4)[nibbleOf(c)]])
  })

  it('owners follow shardNibbles and refuse more than 16 workers', () => {
    for (const n of [1, 2, 3, 4]) {
      const owners = nibbleOwners(n)
      for (let w = 0; w < n; w++) for (const nib of shardNibbles(w, n)) expect(owners[nib]).toBe(w)
    }
    expect(() => nibbleOwners(17)).toThrow(RangeError)
    expect(() => nibbleOwners(0)).toThrow(RangeError)
  })
})
