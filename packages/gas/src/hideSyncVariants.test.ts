import { describe, expect, it } from 'vitest'
import { eip1559 } from './eip1559.js'
import { rateLimited } from './rateLimited.js'
import { sponsored } from './sponsored.js'

describe('hideSyncVariants', () => {
  it('keeps the sync variants readable but out of spreads, so a replaced upfront is not bypassed', () => {
    const models = [
      eip1559(),
      // biome-ignore lint/suspicious/noThenProperty: issue 5 names the field `then`; a GasModel is not callable
      rateLimited({ freeTxPerWindow: 1n, windowBlocks: 10n, then: eip1559() }),
      sponsored({ paymaster: '0x00000000000000000000000000000000000000aa', quota: { windowBlocks: 10n } }),
    ]
    for (const m of models) {
      expect(typeof m.upfrontSync).toBe('function')
      expect(typeof m.chargeSync).toBe('function')
      const custom = { ...m, upfront: m.upfront }
      expect(custom.upfrontSync).toBeUndefined()
      expect(custom.chargeSync).toBeUndefined()
      expect(Object.keys(m)).not.toContain('upfrontSync')
    }
  })
})
