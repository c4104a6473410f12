import type { Address } from '@appchain/core'
import { describe, expect, it } from 'vitest'
import { assignGroups, batchPlan, lockGroups } from './scheduler.js'

const a = (n: number) => `0x${n.toString(16).padStart(40, '0')}` as Address

describe('lockGroups', () => {
  it('connects transactions through written accounts, in block order', () => {
    const groups = lockGroups([
      { reads: [], writes: [a(1), a(2)] },
      { reads: [], writes: [a(3)] },
      { reads: [a(2)], writes: [] },
      { reads: [], writes: [a(4), a(3)] },
    ])
    expect(groups).toEqual([
      [0, 2],
      [1, 3],
    ])
  })

  it('lets shared reads of an account nobody writes run apart', () => {
    const groups = lockGroups([
      { reads: [a(9)], writes: [a(1)] },
      { reads: [a(9)], writes: [a(2)] },
      { reads: [a(9)], writes: [] },
    ])
    expect(groups).toEqual([[0], [1], [2]])
  })

  it('puts everything that touches one hot account in one group', () => {
    const txs = Array.from({ length: 50 }, (_, i) => ({ reads: [], writes: [a(100 + i), a(1)] }))
    expect(lockGroups(txs)).toEqual([Array.from({ length: 50 }, (_, i) => i)])
  })
})

describe('assignGroups', () => {
  it('balances groups over threads, largest first, indices ascending per thread', () => {
    expect(assignGroups([[0, 2, 4], [1], [3], [5]], 2)).toEqual([
      [0, 2, 4],
      [1, 3, 5],
    ])
  })

  it('validates the thread count', () => {
    expect(() => assignGroups([[0]], 0)).toThrow(RangeError)
  })
})

describe('batchPlan', () => {
  it("cuts each thread's groups into batches of whole groups, dispatched round by round", () => {
    const plan = batchPlan([[0, 4], [1], [2], [3, 5, 6]], 2, 2)
    // Largest first onto the least loaded thread: [3, 5, 6] and [2] on thread 0, [0, 4] and [1] on thread 1.
    expect(plan).toEqual([
      { thread: 0, indices: [2, 3, 5, 6] },
      { thread: 1, indices: [0, 4] },
      { thread: 1, indices: [1] },
    ])
    // Every transaction once, no group split across batches.
    expect(plan.flatMap((b) => b.indices).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6])
  })

  it("keeps a thread's work in block order across its batches", () => {
    const groups = Array.from({ length: 10 }, (_, i) => [i])
    const plan = batchPlan(groups, 1, 3)
    expect(plan.map((b) => b.indices)).toEqual([[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]])
  })

  it('validates its arguments', () => {
    expect(() => batchPlan([[0]], 0, 1)).toThrow(RangeError)
    expect(() => batchPlan([[0]], 1, 0)).toThrow(RangeError)
  })
})
