import type { Address } from '@appchain/core'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sponsored } from '../src/sponsored.js'
import { COINBASE, type GasNode, gasNode, signers } from './node.js'

const gwei = 1_000_000_000n
const PAYMASTER: Address = '0x00000000000000000000000000000000000000aa'
// Two 21,000-gas holds at 1 gwei, and a little over.
const FUNDS = 2n * 21_000n * gwei + 5_000n * gwei
// Players with no ETH at all.
const player1 = privateKeyToAccount(`0x${'11'.repeat(32)}`)
const player2 = privateKeyToAccount(`0x${'22'.repeat(32)}`)
const bob = signers[2]!
let chain: GasNode

beforeAll(async () => {
  chain = await gasNode(
    sponsored({ paymaster: PAYMASTER, quota: { txPerWindow: 1n, windowBlocks: 100_000n }, gasPrice: gwei }),
    { alloc: { [PAYMASTER]: { balance: FUNDS } } },
  )
})
afterAll(async () => {
  await chain?.stop()
})

const play = (player: typeof player1) =>
  chain.wallet(player).sendTransaction({ to: bob.address, gas: 21_000n, maxFeePerGas: 0n, maxPriorityFeePerGas: 0n })

describe('sponsored on a running chain', () => {
  it('quotes zero to wallets and estimates gas for an account with no funds', async () => {
    expect(await chain.client.getGasPrice()).toBe(0n)
    expect(await chain.client.estimateMaxPriorityFeePerGas()).toBe(0n)
    expect((await chain.client.getBlock()).baseFeePerGas).toBe(0n)
    expect(await chain.client.estimateGas({ account: player1.address, to: bob.address })).toBe(21_000n)
  })

  it('has the paymaster pay gasUsed × gasPrice while the player, with no ETH, pays nothing', async () => {
    const hash = await play(player1)
    const { receipt, delta } = await chain.settle(hash, [player1.address, PAYMASTER, COINBASE])
    expect(receipt.status).toBe('success')
    expect(receipt.effectiveGasPrice).toBe(gwei)
    expect(delta).toEqual([0n, -21_000n * gwei, 21_000n * gwei])
    expect((await chain.rawReceipt(hash))?.feePayer).toBe(PAYMASTER)
  })

  it("refuses a player's transaction over quota at admission, with the quota's numbers", async () => {
    const error = await play(player1).catch((e: Error) => e)
    expect(error).toBeInstanceOf(Error)
    expect(String((error as Error).message)).toMatch(/quota exceeded: .* used 1 of 1 txPerWindow/)
  })

  it('stops cleanly when the paymaster runs dry: refused, nothing charged', async () => {
    const hash = await play(player2)
    const { delta } = await chain.settle(hash, [player2.address, PAYMASTER])
    expect(delta).toEqual([0n, -21_000n * gwei])
    expect(await chain.client.getBalance({ address: PAYMASTER })).toBe(5_000n * gwei)
    const player3 = privateKeyToAccount(`0x${'33'.repeat(32)}`)
    await expect(play(player3)).rejects.toThrow(
      /paymaster 0x0+aa cannot cover the fee: have 5000000000000 want 21000000000000/,
    )
    expect(await chain.client.getBalance({ address: PAYMASTER })).toBe(5_000n * gwei)
    expect(await chain.client.getTransactionCount({ address: player3.address })).toBe(0)
  })
})
