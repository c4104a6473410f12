import { pendingViewOf, runOrderingConformance } from '@appchain/core/testing'
import { eip1559 } from '@appchain/gas'
import { describe, expect, it } from 'vitest'
import { envelope } from '../test/txs.js'
import { fifo } from './fifo.js'
import { createMempool } from './mempool.js'

runOrderingConformance({ create: () => fifo(), gas: eip1559() })

const ctx = {
  gas: eip1559(),
  block: {
    chainId: 1n,
    number: 1n,
    timestamp: 1n,
    coinbase: '0x0000000000000000000000000000000000000000',
    gasLimit: 30_000_000n,
    fees: { baseFeePerGas: 1n },
    prevRandao: `0x${'00'.repeat(32)}`,
    parentHash: `0x${'00'.repeat(32)}`,
  },
} as const

describe('fifo', () => {
  it('follows admission order across senders, whatever they pay', () => {
    const pool = createMempool()
    const order = [
      envelope(2, 0, { tip: 1n }),
      envelope(1, 0, { tip: 99n }),
      envelope(2, 1, { tip: 50n }),
      envelope(3, 0),
    ]
    for (const tx of order) pool.add(tx, { stateNonce: 0n })
    expect([...fifo().order(pool, ctx)]).toEqual(order)
  })

  it('a transaction that arrived before its predecessor waits for it', () => {
    const pool = createMempool()
    const late = envelope(1, 1)
    pool.add(late, { stateNonce: 0n }) // queued: nonce 0 missing
    pool.add(envelope(2, 0), { stateNonce: 0n })
    pool.add(envelope(1, 0), { stateNonce: 0n })
    const out = [...fifo().order(pool, ctx)].map((t) => `${Number.parseInt(t.sender, 16)}:${t.nonce}`)
    expect(out).toEqual(['2:0', '1:0', '1:1'])
  })

  it('round-robins over senders when the view does not know arrivals', () => {
    const view = pendingViewOf(
      new Map([
        [envelope(1, 0).sender, [envelope(1, 0), envelope(1, 1)]],
        [envelope(2, 0).sender, [envelope(2, 0), envelope(2, 1)]],
      ]),
    )
    const out = [...fifo().order(view, ctx)].map((t) => `${Number.parseInt(t.sender, 16)}:${t.nonce}`)
    expect(out).toEqual(['1:0', '2:0', '1:1', '2:1'])
  })
})
