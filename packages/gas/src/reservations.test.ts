import type { TxEnvelope } from '@appchain/core'
import { memoryGasStore } from '@appchain/core/testing'
import { describe, expect, it } from 'vitest'
import { bump, reservations, usageOf } from './reservations.js'
import { decodeUsage, encodeUsage } from './windowUsage.js'

const tx = (n: number) => ({ hash: `0x${n}` }) as unknown as TxEnvelope

describe('reservations', () => {
  it('keeps one decision per transaction whatever the order (EVM: one at a time; parallel VM: all first)', () => {
    const held = reservations<string>((s) => `t/${s}`)
    const store = memoryGasStore()
    const [a, b, c] = [tx(1), tx(2), tx(3)]
    held.decide(a, store, 'paid')
    held.decide(b, store, 'free')
    held.decide(a, store, 'charged') // a decided again after b: the latest wins, the older one is gone
    expect(held.decision(a, store)).toBe('charged')
    expect(held.decision(b, store)).toBe('free')
    held.forget(a, store)
    expect(held.decision(a, store)).toBeUndefined()
    expect(held.decision(b, store)).toBe('free')
    held.decide(c, store, 'paid')
    held.forget(b, store)
    expect(held.decision(b, store)).toBeUndefined()
    expect(held.decision(c, store)).toBe('paid')
    held.forget(c, store)
    expect(held.decision(c, store)).toBeUndefined()
    // Another store is another block execution: nothing carries over.
    held.decide(a, store, 'paid')
    expect(held.decision(a, memoryGasStore())).toBeUndefined()
  })
})

describe('reservations on the transaction object', () => {
  it('keeps every decision when two models, two block executions or a frozen transaction share one', () => {
    const a = reservations<string>((s) => `a/${s}`)
    const b = reservations<string>((s) => `b/${s}`)
    const [s1, s2] = [memoryGasStore(), memoryGasStore()]
    const t = tx(1)
    a.decide(t, s1, 'a1')
    b.decide(t, s1, 'b1')
    a.decide(t, s2, 'a2')
    b.decide(t, s2, 'b2')
    expect([a.decision(t, s1), b.decision(t, s1), a.decision(t, s2), b.decision(t, s2)]).toEqual([
      'a1',
      'b1',
      'a2',
      'b2',
    ])
    a.decide(t, s1, 'a1+')
    expect([a.decision(t, s1), a.decision(t, s2)]).toEqual(['a1+', 'a2'])
    a.forget(t, s2)
    b.forget(t, s1)
    expect([a.decision(t, s1), b.decision(t, s1), a.decision(t, s2), b.decision(t, s2)]).toEqual([
      'a1+',
      undefined,
      undefined,
      'b2',
    ])
    const frozen = Object.freeze(tx(2))
    a.decide(frozen, s1, 'f')
    expect(a.decision(frozen, s1)).toBe('f')
    expect(a.holderOf(s1, frozen)).toBe(a.holder(s1, frozen.sender))
    // A copy is another transaction: it neither sees nor changes the original's decision.
    const orig = tx(4)
    a.decide(orig, s1, 'o')
    a.decide(tx(5), s1, 'other') // moves 'o' from the slot to the block's log
    const copy = { ...orig } as TxEnvelope
    expect(a.decision(copy, s1)).toBeUndefined()
    a.decide(copy, s1, 'c')
    a.decide(tx(6), s1, 'x')
    expect([a.decision(orig, s1), a.decision(copy, s1)]).toEqual(['o', 'c'])
    a.forget(copy, s1)
    expect([a.decision(orig, s1), a.decision(copy, s1)]).toEqual(['o', undefined])
    // Holders too: per model and per block execution, whatever the transaction remembers.
    const u = { ...tx(3), sender: '0x00000000000000000000000000000000000000b1' } as TxEnvelope
    expect(a.holderOf(s1, u).key).toBe(`a/${u.sender}`)
    expect(b.holderOf(s1, u).key).toBe(`b/${u.sender}`)
    expect(a.holderOf(s2, u)).toBe(a.holder(s2, u.sender))
    expect(a.holderOf(s1, u)).toBe(a.holder(s1, u.sender))
    // A copy with another sender gets that sender's holder, not the one the original remembers.
    const w = { ...u, sender: '0x00000000000000000000000000000000000000b2' } as TxEnvelope
    expect(a.holderOf(s1, w)).toBe(a.holder(s1, w.sender))
    expect(a.holderOf(s1, w)).not.toBe(a.holder(s1, u.sender))
  })
})

describe('bump', () => {
  it('gives exactly encodeUsage of the advanced usage, from any stored value, saturation and window changes included', () => {
    let seed = 7
    const rand = (bits: number) => {
      let v = 0n
      for (let i = 0; i < bits; i += 16) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff
        v = (v << 16n) | BigInt(seed & 0xffff)
      }
      return v & ((1n << BigInt(bits)) - 1n)
    }
    const held = reservations<true>((s) => `t/${s}`)
    const store = memoryGasStore()
    const edges = [0n, 1n, 0xffff_fffen, 0xffff_ffffn, (1n << 96n) - 2n, (1n << 64n) - 1n]
    for (let i = 0; i < 3000; i++) {
      const h = held.holder(store, `0x${(i % 7).toString(16).padStart(40, '0')}`)
      const window = i % 11 === 0 ? rand(70) : BigInt(i % 3)
      // A stored value: from the holder's last bump, fresh, zero, or from another window.
      const pick = i % 5
      const v =
        pick === 0
          ? h.raw
          : pick === 1
            ? 0n
            : pick === 2
              ? encodeUsage(window, { txs: edges[i % 6]!, gas: edges[(i + 1) % 6]!, mark: rand(64) })
              : pick === 3
                ? encodeUsage(window + 1n, { txs: 1n, gas: 2n, mark: 3n })
                : rand(256)
      const stored = v < 0n ? 0n : v
      const gasUsed = i % 13 === 0 ? rand(100) : rand(20)
      const mark = i % 4 === 0 ? decodeUsage(stored, window).mark : rand(i % 9 === 0 ? 70 : 40)
      const u = decodeUsage(stored, window)
      const expected = encodeUsage(window, { txs: u.txs + 1n, gas: u.gas + gasUsed, mark })
      expect(bump(h, stored, window, gasUsed, mark)).toBe(expected)
      // What the holder remembers decodes the same as the value itself.
      expect(usageOf(h, expected, window)).toEqual(decodeUsage(expected, window))
    }
  })
})
