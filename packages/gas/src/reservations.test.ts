import type { TxEnvelope } from '@appchain/core'
import { memoryGasStore } from '@appchain/core/testing'
import { describe, expect, it } from 'vitest'
import { reservations } from './reservations.js'

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
