import { PREDEPLOYS } from '@appchain/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eip1559 } from '../src/eip1559.js'
import { flzCompressLen } from '../src/flzCompressLen.js'
import { withL1DataFee } from '../src/withL1DataFee.js'
import { COINBASE, type GasNode, gasNode, sendSigned, signers } from './node.js'

const gwei = 1_000_000_000n
const PRICE = 1_000_000n // wei per compressed byte
const VAULT = PREDEPLOYS.feeVault
let chain: GasNode
const [alice, bob] = [signers[1]!, signers[2]!]

beforeAll(async () => {
  chain = await gasNode(withL1DataFee(eip1559(), { pricePerByte: PRICE }))
})
afterAll(async () => {
  await chain?.stop()
})

/** OP Stack Fjord's estimate, written out: max(100, −42.5856 + 0.8365 × fastLzSize) bytes × price. */
const expectedL1Fee = (raw: Uint8Array) => {
  const scaled = -42_585_600n + 836_500n * BigInt(flzCompressLen(raw))
  return ((scaled < 100_000_000n ? 100_000_000n : scaled) * PRICE) / 1_000_000n
}

describe('withL1DataFee on a running chain', () => {
  it('adds the DA fee of the compressed bytes, reports it as l1Fee and pays it to the fee vault', async () => {
    // Calldata that compresses poorly, so the estimate is above the 100-byte floor.
    const data =
      `0x${Array.from({ length: 400 }, (_, i) => ((i * 7919) % 251).toString(16).padStart(2, '0')).join('')}` as const
    const tip = 2n * gwei
    const sent = await sendSigned(chain, alice, {
      to: bob.address,
      data,
      value: 5n,
      gas: 100_000n,
      maxFeePerGas: 10n * gwei,
      maxPriorityFeePerGas: tip,
    })
    const l1Fee = expectedL1Fee(sent.raw)
    expect(l1Fee).toBeGreaterThan(100n * PRICE)
    const { receipt, block, delta } = await chain.settle(sent.hash, [alice.address, bob.address, COINBASE, VAULT])
    const price = block.baseFeePerGas! + tip
    expect(receipt.effectiveGasPrice).toBe(price)
    expect(BigInt((await chain.rawReceipt(sent.hash))!.l1Fee!)).toBe(l1Fee)
    expect(delta).toEqual([-(5n + receipt.gasUsed * price + l1Fee), 5n, receipt.gasUsed * tip, l1Fee])
  })

  it('charges a plain transfer the 100-byte floor', async () => {
    const sent = await sendSigned(chain, alice, {
      to: bob.address,
      value: 1n,
      maxFeePerGas: 10n * gwei,
      maxPriorityFeePerGas: 0n,
    })
    const { receipt, block, delta } = await chain.settle(sent.hash, [alice.address, VAULT])
    expect(BigInt((await chain.rawReceipt(sent.hash))!.l1Fee!)).toBe(100n * PRICE)
    expect(delta).toEqual([-(1n + 21_000n * block.baseFeePerGas! + 100n * PRICE), 100n * PRICE])
    expect(receipt.effectiveGasPrice).toBe(block.baseFeePerGas)
  })
})
