import { type Address, PREDEPLOYS } from '@appchain/core'
import { keccak256, toHex } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decay } from '../src/demand.js'
import { eip1559 } from '../src/eip1559.js'
import { localFeeMarkets } from '../src/localFeeMarkets.js'
import { COINBASE, type GasNode, gasNode, signers } from './node.js'

const gwei = 1_000_000_000n
const HOT: Address = '0x00000000000000000000000000000000000b0075'
const COLD: Address = '0x00000000000000000000000000000000000c01d0'
// hotThreshold 0.5 tx/block, demand keeps 3/4 per block: a burst stays hot for a few blocks.
const KEEP = 750_000n
const THRESHOLD = 500_000n
let chain: GasNode

beforeAll(async () => {
  chain = await gasNode(localFeeMarkets({ base: eip1559(), hotThreshold: 0.5, multiplier: 1, decay: 0.25 }))
})
afterAll(async () => {
  await chain?.stop()
})

/** A transfer that declares its write set the EVM way: an access list naming the target. */
const write = (i: number, to: Address) =>
  chain.wallet(signers[i]!).sendTransaction({
    to,
    value: 1n,
    accessList: [{ address: to, storageKeys: [] }],
    // Explicit: the node's eth_estimateGas does not count access lists yet (21,000 instead of 23,400).
    gas: 30_000n,
    maxFeePerGas: 100n * gwei,
    maxPriorityFeePerGas: 0n,
  })

/** The demand `localFeeMarkets` keeps for `account`, read from the chain's state (the gas-store predeploy). */
async function storedDemand(account: Address, blockNumber: bigint) {
  const slot = keccak256(toHex(`lfm/${account}`))
  const v = BigInt((await chain.client.getStorageAt({ address: PREDEPLOYS.gasStore, slot, blockNumber })) ?? '0x0')
  return { block: v >> 192n, demand: v & ((1n << 192n) - 1n) }
}

describe('localFeeMarkets on a running chain', () => {
  it('prices a write to a hot account up by its recorded demand, and leaves a cold one at the base fee', async () => {
    const burst = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => write(i, HOT)))
    const receipts = await Promise.all(burst.map((hash) => chain.client.waitForTransactionReceipt({ hash })))
    const [hot, cold] = await Promise.all([write(1, HOT), write(2, COLD)])

    // The demand on chain is the moving average of the blocks' write counts (replayed here from the blocks).
    const counts = new Map<bigint, bigint>()
    for (const r of receipts) counts.set(r.blockNumber, (counts.get(r.blockNumber) ?? 0n) + 1n)
    let replay = { block: 0n, demand: 0n }
    for (const [b, n] of [...counts].sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
      replay = { block: b, demand: decay(decay(replay.demand, KEEP, b - 1n - replay.block), KEEP, 1n) + n * 250_000n }
    }
    const lastBurst = receipts.reduce((m, r) => (r.blockNumber > m ? r.blockNumber : m), 0n)
    expect(await storedDemand(HOT, lastBurst)).toEqual(replay)

    for (const [hash, account, who] of [
      [hot, HOT, signers[1]!.address],
      [cold, COLD, signers[2]!.address],
    ] as const) {
      const { receipt, block, delta } = await chain.settle(hash, [who, COINBASE])
      const stored = await storedDemand(account, receipt.blockNumber - 1n)
      const d = decay(stored.demand, KEEP, receipt.blockNumber - 1n - stored.block)
      const factor = d > THRESHOLD ? 1_000_000n + (1_000_000n * (d - THRESHOLD)) / THRESHOLD : 1_000_000n
      const price = (block.baseFeePerGas! * factor) / 1_000_000n
      if (account === HOT) expect(factor).toBeGreaterThan(1_000_000n)
      else expect(price).toBe(block.baseFeePerGas)
      expect(receipt.gasUsed).toBe(21_000n + 2_400n)
      expect(receipt.effectiveGasPrice).toBe(price)
      // All of it is base fee (no tip): burnt, the coinbase gets nothing.
      expect(delta).toEqual([-(1n + 23_400n * price), 0n])
    }
  })
})
