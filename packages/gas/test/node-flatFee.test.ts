import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { flatFee } from '../src/flatFee.js'
import { COINBASE, type GasNode, gasNode, sendSigned, signers } from './node.js'

const PER_TX = 10_000_000_000_000n // 0.00001 ETH
const PER_BYTE = 1_000_000_000n // 1 gwei
let chain: GasNode
const [alice, bob] = [signers[1]!, signers[2]!]

beforeAll(async () => {
  chain = await gasNode(flatFee({ perTx: PER_TX, perByte: PER_BYTE }))
})
afterAll(async () => {
  await chain?.stop()
})

describe('flatFee on a running chain', () => {
  it('charges perTx + perByte × size to the coinbase whatever the gas, with viem filling the fees', async () => {
    // Wallet defaults: viem reads eth_maxPriorityFeePerGas and the zero base fee.
    const quote = (PER_TX + PER_BYTE * 120n + 20_999n) / 21_000n
    expect(await chain.client.getGasPrice()).toBe(quote)
    expect(await chain.client.estimateMaxPriorityFeePerGas()).toBe(quote)
    const value = 12_345n
    const sent = await sendSigned(chain, alice, { to: bob.address, value })
    const { receipt, block, delta } = await chain.settle(sent.hash, [alice.address, bob.address, COINBASE])
    const fee = PER_TX + PER_BYTE * BigInt(sent.raw.length)
    expect(block.baseFeePerGas).toBe(0n)
    expect(receipt.gasUsed).toBe(21_000n)
    expect(receipt.effectiveGasPrice).toBe(fee / 21_000n)
    expect(delta).toEqual([-(value + fee), value, fee])
    // eth_feeHistory: no base fee, and the reward is the whole per-gas price the receipt reports.
    const history = await chain.client.getFeeHistory({
      blockCount: 1,
      blockNumber: receipt.blockNumber,
      rewardPercentiles: [50],
    })
    expect(history.baseFeePerGas).toEqual([0n, 0n])
    expect(history.reward).toEqual([[fee / 21_000n]])
  })

  it('charges the same for a transaction that uses more gas, and more for more bytes', async () => {
    const data = `0x${'ab'.repeat(500)}` as const
    const sent = await sendSigned(chain, alice, { to: bob.address, data, gas: 100_000n })
    const { receipt, delta } = await chain.settle(sent.hash, [alice.address, COINBASE])
    const fee = PER_TX + PER_BYTE * BigInt(sent.raw.length)
    // Prague's calldata floor (EIP-7623): 21,000 + 10 gas × 4 tokens per non-zero byte.
    expect(receipt.gasUsed).toBe(21_000n + 500n * 40n)
    expect(delta).toEqual([-fee, fee])
  })

  it('refuses a bid below the flat fee at admission', async () => {
    const before = await chain.client.getBalance({ address: alice.address })
    await expect(
      chain.wallet(alice).sendTransaction({ to: bob.address, maxFeePerGas: 1_000n, maxPriorityFeePerGas: 1_000n }),
    ).rejects.toThrow(/underpriced/)
    expect(await chain.client.getBalance({ address: alice.address })).toBe(before)
  })
})
