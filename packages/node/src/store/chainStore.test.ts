import type { BlockHeader, Hex, Log, Receipt } from '@appchain/core'
import { EMPTY_TRIE_ROOT, hashHeader, logsBloom, memoryDb, ZERO_ADDRESS, ZERO_HASH } from '@appchain/core'
import { describe, expect, it } from 'vitest'
import { createChainStore } from './chainStore.js'

const addrA = '0x00000000000000000000000000000000000000aa' as Hex
const addrB = '0x00000000000000000000000000000000000000bb' as Hex
const topic = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as Hex

function receipt(i: number, logs: Log[]): Receipt {
  return {
    transactionHash: `0x${(1000 + i).toString(16).padStart(64, '0')}`,
    transactionIndex: i,
    type: 2,
    from: addrA,
    to: addrB,
    status: 'success',
    gasUsed: 21000n,
    cumulativeGasUsed: 21000n * BigInt(i + 1),
    effectiveGasPrice: 7n,
    logs,
    logsBloom: logsBloom(logs),
    contractAddress: null,
  }
}

function block(number: bigint, parentHash: Hex, receipts: Receipt[]) {
  const header: BlockHeader = {
    parentHash,
    number,
    timestamp: 1000n + number,
    coinbase: ZERO_ADDRESS,
    stateRoot: EMPTY_TRIE_ROOT,
    transactionsRoot: EMPTY_TRIE_ROOT,
    receiptsRoot: EMPTY_TRIE_ROOT,
    withdrawalsRoot: EMPTY_TRIE_ROOT,
    logsBloom: logsBloom(receipts.flatMap((r) => r.logs)),
    gasLimit: 30_000_000n,
    gasUsed: 21000n * BigInt(receipts.length),
    baseFeePerGas: 7n,
    prevRandao: ZERO_HASH,
    extraData: '0x',
  }
  const execution = {
    receipts,
    excluded: [],
    included: [],
    gasUsed: header.gasUsed,
    withdrawals: [],
    withdrawalsRoot: EMPTY_TRIE_ROOT,
    transactionsRoot: EMPTY_TRIE_ROOT,
    receiptsRoot: EMPTY_TRIE_ROOT,
    logsBloom: header.logsBloom,
    stateRoot: EMPTY_TRIE_ROOT,
  }
  return {
    block: {
      hash: hashHeader(header),
      header,
      transactions: receipts.map(() => new Uint8Array([1, 2, 3])),
      deposits: [],
    },
    execution,
    stateOps: [],
  }
}

describe('createChainStore', () => {
  it('seals blocks, finds them by number, hash and tx, and survives a reopen', async () => {
    const db = memoryDb()
    const store = await createChainStore(db)
    expect(store.head()).toBeUndefined()
    const b0 = block(0n, ZERO_HASH, [])
    await store.seal(b0)
    const b1 = block(1n, b0.block.hash, [
      receipt(0, []),
      receipt(1, [{ address: addrA, topics: [topic(1)], data: '0x' }]),
    ])
    await store.seal(b1, [store.pendingOp(topic(9), 5n, new Uint8Array([9]))])
    expect(store.head()?.hash).toBe(b1.block.hash)

    const again = await createChainStore(db)
    expect(again.head()?.header.number).toBe(1n)
    expect((await again.getBlockByNumber(1n))?.txHashes).toEqual([
      b1.execution.receipts[0]!.transactionHash,
      b1.execution.receipts[1]!.transactionHash,
    ])
    expect((await again.getBlockByHash(b0.block.hash))?.header.number).toBe(0n)
    expect(await again.getTxLocation(b1.execution.receipts[1]!.transactionHash)).toEqual({
      blockHash: b1.block.hash,
      blockNumber: 1n,
      index: 1,
    })
    expect((await again.getReceipts(b1.block.hash))?.[1]?.cumulativeGasUsed).toBe(42000n)
    expect((await again.getBlockByNumber(1n))?.transactions[0]).toEqual(new Uint8Array([1, 2, 3]))
    expect(await again.pending()).toEqual([{ hash: topic(9), seq: 5n, raw: new Uint8Array([9]) }])
  })

  it('answers log queries by address and topics, skipping blocks by bloom', async () => {
    const store = await createChainStore(memoryDb())
    let parent = ZERO_HASH
    for (let n = 0n; n < 20n; n++) {
      const logs: Log[] =
        n % 5n === 0n
          ? [{ address: n % 10n === 0n ? addrA : addrB, topics: [topic(Number(n)), topic(77)], data: '0x01' }]
          : []
      const b = block(n, parent, logs.length ? [receipt(0, logs)] : [])
      await store.seal(b)
      parent = b.block.hash
    }
    const all = await store.getLogs({ fromBlock: 0n, toBlock: 19n })
    expect(all.map((l) => l.blockNumber)).toEqual([0n, 5n, 10n, 15n])
    expect(
      (await store.getLogs({ fromBlock: 0n, toBlock: 19n, addresses: [addrA] })).map((l) => l.blockNumber),
    ).toEqual([0n, 10n])
    expect(
      (await store.getLogs({ fromBlock: 0n, toBlock: 19n, topics: [[topic(5), topic(15)]] })).map((l) => l.blockNumber),
    ).toEqual([5n, 15n])
    expect(
      (await store.getLogs({ fromBlock: 6n, toBlock: 19n, topics: [null, topic(77)] })).map((l) => l.blockNumber),
    ).toEqual([10n, 15n])
    expect(await store.getLogs({ fromBlock: 0n, toBlock: 19n, topics: [topic(3)] })).toEqual([])
  })
})
