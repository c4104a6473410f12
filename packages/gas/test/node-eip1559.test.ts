import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eip1559 } from '../src/eip1559.js'
import { nextBaseFee } from '../src/nextBaseFee.js'
import { COINBASE, type GasNode, gasNode, signers } from './node.js'

const gwei = 1_000_000_000n
const BURN_PARAMS = { elasticityMultiplier: 2n, baseFeeChangeDenominator: 8n, minBaseFee: 0n }
let chain: GasNode
const [alice, bob] = [signers[1]!, signers[2]!]

beforeAll(async () => {
  chain = await gasNode(eip1559({ initialBaseFee: gwei, suggestedPriorityFee: 3_000_000n }))
})
afterAll(async () => {
  await chain?.stop()
})

describe('eip1559 on a running chain', () => {
  it('burns gasUsed × baseFee and pays the tip to the coinbase, to the wei', async () => {
    const value = 10n ** 18n
    for (const tip of [2n * gwei, 0n]) {
      const hash = await chain.wallet(alice).sendTransaction({
        to: bob.address,
        value,
        maxFeePerGas: 10n * gwei,
        maxPriorityFeePerGas: tip,
      })
      const { receipt, block, delta } = await chain.settle(hash, [alice.address, bob.address, COINBASE])
      const base = block.baseFeePerGas!
      const parent = await chain.client.getBlock({ blockNumber: receipt.blockNumber - 1n })
      // The header's base fee is the EIP's formula over the parent.
      expect(base).toBe(
        nextBaseFee(
          {
            number: parent.number,
            gasLimit: parent.gasLimit,
            gasUsed: parent.gasUsed,
            baseFeePerGas: parent.baseFeePerGas!,
          },
          BURN_PARAMS,
        ),
      )
      expect(receipt.gasUsed).toBe(21_000n)
      expect(receipt.effectiveGasPrice).toBe(base + tip)
      expect(delta).toEqual([-(value + 21_000n * (base + tip)), value, 21_000n * tip])
    }
  })

  it('serves eth_gasPrice, eth_maxPriorityFeePerGas, eth_feeHistory and eth_estimateGas from the model', async () => {
    const hash = await chain.wallet(alice).sendTransaction({
      to: bob.address,
      value: 1n,
      maxFeePerGas: 10n * gwei,
      maxPriorityFeePerGas: 5n * gwei,
    })
    const { receipt, block } = await chain.settle(hash, [])
    const head = await chain.client.getBlock()
    const next = nextBaseFee(
      { number: head.number, gasLimit: head.gasLimit, gasUsed: head.gasUsed, baseFeePerGas: head.baseFeePerGas! },
      BURN_PARAMS,
    )
    expect(await chain.client.getGasPrice()).toBe(next + 3_000_000n)
    expect(await chain.client.request({ method: 'eth_maxPriorityFeePerGas' })).toBe('0x2dc6c0')
    const history = await chain.client.getFeeHistory({
      blockCount: 2,
      blockNumber: receipt.blockNumber,
      rewardPercentiles: [50],
    })
    expect(history.baseFeePerGas).toEqual([
      (await chain.client.getBlock({ blockNumber: receipt.blockNumber - 1n })).baseFeePerGas!,
      block.baseFeePerGas!,
      nextBaseFee(
        {
          number: block.number!,
          gasLimit: block.gasLimit,
          gasUsed: block.gasUsed,
          baseFeePerGas: block.baseFeePerGas!,
        },
        BURN_PARAMS,
      ),
    ])
    expect(history.reward?.[1]).toEqual([5n * gwei])
    expect(await chain.client.estimateGas({ account: alice.address, to: bob.address, value: 1n })).toBe(21_000n)
  })

  it('refuses a fee cap below the base fee at admission, before it costs anything', async () => {
    const before = await chain.client.getBalance({ address: alice.address })
    await expect(
      chain.wallet(alice).sendTransaction({ to: bob.address, value: 1n, maxFeePerGas: 1n, maxPriorityFeePerGas: 0n }),
    ).rejects.toThrow(/base fee|underpriced/)
    expect(await chain.client.getBalance({ address: alice.address })).toBe(before)
  })
})
