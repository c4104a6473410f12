import { memoryGasStore } from '@appchain/core/testing'
import { describe, expect, it } from 'vitest'
import { DECAY_SCALE, decay, demandKey, readDemand, writeDemand } from './demand.js'

describe('demand', () => {
  it('decays by keep^blocks exactly, by squaring', () => {
    expect(decay(8_000_000n, 500_000n, 0n)).toBe(8_000_000n)
    expect(decay(8_000_000n, 500_000n, 1n)).toBe(4_000_000n)
    expect(decay(8_000_000n, 500_000n, 3n)).toBe(1_000_000n)
    expect(decay(8_000_000n, 0n, 1n)).toBe(0n)
    expect(decay(1_000_000n, 900_000n, 2n)).toBe(810_000n)
    // One step at a time equals one jump, for powers of two and others (0.9^5 = 0.59049).
    let stepwise = 10n ** 12n
    for (let i = 0; i < 5; i++) stepwise = decay(stepwise, 900_000n, 1n)
    expect(stepwise).toBe(590_490_000_000n)
    expect(decay(10n ** 12n, 900_000n, 5n)).toBe(590_490_000_000n)
    // A long-idle account costs a handful of steps and reaches zero.
    expect(decay(10n ** 30n, 999_999n, 10n ** 12n)).toBe(0n)
  })

  it("takes one block's step as v × ⌊keep × DECAY_SCALE / 10^6⌋ / DECAY_SCALE (localFeeMarkets' observeBlock)", () => {
    let seed = 12345
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed
    }
    for (let i = 0; i < 2000; i++) {
      const keep = BigInt(next() % 1_000_001)
      const v = (BigInt(next()) << BigInt(next() % 160)) + BigInt(next())
      const scaled = (keep * DECAY_SCALE) / 1_000_000n
      expect(v === 0n ? 0n : (v * scaled) / DECAY_SCALE).toBe(decay(v, keep, 1n))
    }
  })

  it('packs the last block and the demand into one value', async () => {
    const store = memoryGasStore()
    const key = demandKey('lfm', '0xABCDEF0000000000000000000000000000000001')
    expect(key).toBe('lfm/0xabcdef0000000000000000000000000000000001')
    expect(await readDemand(store, key)).toEqual({ block: 0n, demand: 0n })
    await writeDemand(store, key, 77n, 5_500_000n)
    expect(await readDemand(store, key)).toEqual({ block: 77n, demand: 5_500_000n })
    expect(store.entries.get(key)).toBe((77n << 192n) | 5_500_000n)
  })
})
