import { runOrderingConformance } from '@appchain/core/testing'
import { eip1559 } from '@appchain/gas'
import { describe, expect, it } from 'vitest'
import { envelope } from '../test/txs.js'
import { createMempool } from './mempool.js'
import { priorityFee } from './priorityFee.js'

runOrderingConformance({ create: () => priorityFee(), gas: eip1559() })

const gas = eip1559()
const block = {
  chainId: 1n,
  number: 1n,
  timestamp: 1n,
  coinbase: '0x0000000000000000000000000000000000000000',
  gasLimit: 30_000_000n,
  fees: { baseFeePerGas: 10n },
  prevRandao: `0x${'00'.repeat(32)}`,
  parentHash: `0x${'00'.repeat(32)}`,
} as const

const label = (t: { sender: string; nonce: bigint }) => `${Number.parseInt(t.sender, 16)}:${t.nonce}`

describe('priorityFee', () => {
  it('orders by the gas model’s priority (effective tip), highest first, ties by arrival', () => {
    const pool = createMempool()
    pool.add(envelope(1, 0, { tip: 5n }), { stateNonce: 0n })
    pool.add(envelope(2, 0, { tip: 9n }), { stateNonce: 0n })
    pool.add(envelope(3, 0, { tip: 5n }), { stateNonce: 0n })
    // Capped by maxFeePerGas: 10 + 100 > 12, so its effective tip is 2.
    pool.add(envelope(4, 0, { tip: 100n, max: 12n }), { stateNonce: 0n })
    expect([...priorityFee().order(pool, { block, gas })].map(label)).toEqual(['2:0', '1:0', '3:0', '4:0'])
  })

  it('keeps nonce order: a high tip behind a low one waits for it', () => {
    const pool = createMempool()
    pool.add(envelope(1, 0, { tip: 1n }), { stateNonce: 0n })
    pool.add(envelope(1, 1, { tip: 100n }), { stateNonce: 0n })
    pool.add(envelope(2, 0, { tip: 50n }), { stateNonce: 0n })
    expect([...priorityFee().order(pool, { block, gas })].map(label)).toEqual(['2:0', '1:0', '1:1'])
  })

  it('is lazy: the builder can stop pulling early on a large pool', () => {
    const pool = createMempool()
    for (let s = 1; s <= 200; s++)
      for (let n = 0; n < 5; n++) pool.add(envelope(s, n, { tip: BigInt(s) }), { stateNonce: 0n })
    const it = priorityFee().order(pool, { block, gas })[Symbol.iterator]()
    expect(label(it.next().value!)).toBe('200:0')
    expect(label(it.next().value!)).toBe('200:1')
  })
})
