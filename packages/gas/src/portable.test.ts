import { type Address, type ChargeContext, PREDEPLOYS, type TxEnvelope } from '@appchain/core'
import { describe, expect, it } from 'vitest'
import { eip1559 } from './eip1559.js'
import { flatFee } from './flatFee.js'
import { sponsored } from './sponsored.js'
import { withL1DataFee } from './withL1DataFee.js'

const sender = '0x00000000000000000000000000000000000000a1' as Address
const coinbase = '0x00000000000000000000000000000000000000c0' as Address
const tx = (raw: Uint8Array): TxEnvelope => ({
  hash: `0x${'11'.repeat(32)}`,
  raw,
  sender,
  nonce: 0n,
  gasLimit: 50_000n,
  fee: { maxFeePerGas: 40n, maxPriorityFeePerGas: 3n },
  size: raw.length,
})
const ctx = (fees: ChargeContext['fees']): ChargeContext => ({
  blockNumber: 1n,
  coinbase,
  fees,
  balanceOf: async () => 10n ** 18n,
  store: {
    get: async () => 0n,
    set: async () => undefined,
  },
})

/** What a worker does with a model's spec: import the module, call the factory with the (cloned) config. */
async function rebuild(spec: { module: string; factory: string; config: unknown }) {
  const factory = ((await import(spec.module)) as Record<string, (c: unknown) => unknown>)[spec.factory]!
  return (await factory(structuredClone(spec.config))) as ReturnType<typeof eip1559>
}

describe('portable gas models', () => {
  const raw = Uint8Array.from({ length: 150 }, (_, i) => (i * 7) % 251)
  const models = [
    eip1559({ initialBaseFee: 7n, feeRecipient: PREDEPLOYS.feeVault, targetGasPerBlock: 1_000_000n }),
    eip1559({ minBaseFee: 1n, initialBaseFee: 5n }),
    flatFee({ perTx: 1000n, perByte: 3n }),
    withL1DataFee(eip1559({ initialBaseFee: 7n }), { pricePerByte: 2_000n }),
    withL1DataFee(flatFee({ perTx: 9n }), { pricePerByte: 5n, feeRecipient: 'coinbase' }),
  ]
  it.each(models.map((m) => [m.name, m] as const))('%s rebuilds from its spec and charges the same', async (_, m) => {
    expect(m.portable).toBeDefined()
    const copy = await rebuild(m.portable!)
    expect(copy.name).toBe(m.name)
    expect(copy.portable).toEqual(m.portable)
    const fees = m.genesisFees()
    expect(copy.genesisFees()).toEqual(fees)
    const parent = { number: 1n, gasLimit: 30_000_000n, gasUsed: 29_000_000n, baseFeePerGas: 1_000n }
    expect(copy.nextBlockFees(parent)).toEqual(m.nextBlockFees(parent))
    const t = tx(raw)
    expect(copy.upfrontSync!(t, ctx(fees))).toEqual(m.upfrontSync!(t, ctx(fees)))
    expect(copy.chargeSync!(t, 30_000n, ctx(fees))).toEqual(m.chargeSync!(t, 30_000n, ctx(fees)))
  })

  it('models that need a store, an oracle or a paymaster are not portable', () => {
    expect(withL1DataFee(eip1559(), { oracle: () => 1n }).portable).toBeUndefined()
    const paymaster = '0x00000000000000000000000000000000000000b2' as Address
    const s = sponsored({ paymaster, quota: { windowBlocks: 10n } })
    expect(s.portable).toBeUndefined()
    expect(withL1DataFee(s, { pricePerByte: 1n }).portable).toBeUndefined()
  })
})
