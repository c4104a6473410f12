import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eip1559 } from '../src/eip1559.js'
import { rateLimited } from '../src/rateLimited.js'
import { COINBASE, type GasNode, gasNode, signers } from './node.js'

const gwei = 1_000_000_000n
let chain: GasNode
const [alice, bob] = [signers[1]!, signers[2]!]

beforeAll(async () => {
  // biome-ignore lint/suspicious/noThenProperty: issue 5 names the field `then`; a GasModel is not callable
  chain = await gasNode(rateLimited({ freeTxPerWindow: 2n, windowBlocks: 100_000n, then: eip1559() }))
})
afterAll(async () => {
  await chain?.stop()
})

describe('rateLimited on a running chain', () => {
  it("charges nothing for a sender's first two transactions of the window, then EIP-1559 prices", async () => {
    const value = 1_000n
    const send = () =>
      chain
        .wallet(alice)
        .sendTransaction({ to: bob.address, value, maxFeePerGas: 10n * gwei, maxPriorityFeePerGas: gwei })
    for (let i = 0; i < 2; i++) {
      const { receipt, delta } = await chain.settle(await send(), [alice.address, bob.address, COINBASE])
      expect(receipt.effectiveGasPrice).toBe(0n)
      expect(delta).toEqual([-value, value, 0n])
    }
    const { receipt, block, delta } = await chain.settle(await send(), [alice.address, bob.address, COINBASE])
    const base = block.baseFeePerGas!
    expect(receipt.effectiveGasPrice).toBe(base + gwei)
    expect(delta).toEqual([-(value + 21_000n * (base + gwei)), value, 21_000n * gwei])
  })

  it("keeps another sender's free tier separate", async () => {
    const carol = signers[3]!
    const hash = await chain
      .wallet(carol)
      .sendTransaction({ to: bob.address, value: 1n, maxFeePerGas: 10n * gwei, maxPriorityFeePerGas: gwei })
    const { receipt, delta } = await chain.settle(hash, [carol.address, COINBASE])
    expect(receipt.effectiveGasPrice).toBe(0n)
    expect(delta).toEqual([-1n, 0n])
  })

  it("quotes the next model's prices", async () => {
    const head = await chain.client.getBlock()
    const next = eip1559().nextBlockFees({
      number: head.number,
      gasLimit: head.gasLimit,
      gasUsed: head.gasUsed,
      baseFeePerGas: head.baseFeePerGas!,
    })
    expect(await chain.client.getGasPrice()).toBe(next.baseFeePerGas + 1_000_000n)
  })
})
