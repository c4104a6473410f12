import { type Address, hexToBytes, KECCAK_EMPTY, memoryDb } from '@appchain/core'
import { describe, expect, it } from 'vitest'
import { AccountShard, type ShardReader } from './accountShard.js'
import { MissingTrieNodeError, ShardFailedError } from './errors.js'
import { nodeKey } from './nodeStore.js'
import { rootOfSubtries, subtrieTops } from './rootNode.js'
import { dbShardReader, shardNibbles } from './shardHost.js'
import { createStateDb } from './stateDb.js'

const addr = (i: number) => `0x${(0xe0c100 + i).toString(16).padStart(40, '0')}` as Address
const acct = (balance: number) => ({ nonce: 1n, balance: BigInt(balance), codeHash: KECCAK_EMPTY })

/** A Db holding 30 flushed accounts, its root, and a reader whose reads wait until `release()`. */
async function flushed() {
  const db = memoryDb()
  const state = createStateDb({ db })
  for (let i = 0; i < 30; i++) await state.putAccount(addr(i), acct(i))
  const { root, ops } = await state.flush()
  await db.batch(ops)
  const encoding = await db.get(nodeKey(hexToBytes(root)))
  const tops = subtrieTops(encoding!, hexToBytes(root))
  return { db, root, tops }
}

describe('AccountShard.exclusive: one call at a time', () => {
  it("runs a call queued during the shard's own applyRoot after it, with the root's result", async () => {
    const { db, tops } = await flushed()
    const base = dbShardReader(db)
    const order: string[] = []
    // Every node read is held back a macrotask: the applyRoot below awaits it, so a later call could interleave.
    const reader: ShardReader = {
      getNodes: async (hashes) => {
        await new Promise((r) => setTimeout(r, 5))
        return base.getNodes(hashes)
      },
      getRecords: (keys) => base.getRecords(keys),
    }
    const shard = new AccountShard({ nibbles: shardNibbles(0, 1), reader })
    shard.open(tops)
    const ref = createStateDb({ db })
    for (let i = 0; i < 30; i++) {
      shard.putAccount(addr(i), acct(1000 + i))
      await ref.putAccount(addr(i), acct(1000 + i))
    }
    const rooting = shard.exclusive(async () => {
      const roots = await shard.applyRoot()
      order.push('own root')
      return roots
    })
    // As a request on the shard's port arrives while the thread's own root still waits for its reads.
    const next = shard.exclusive(async () => {
      order.push('queued call')
      return shard.roots()
    })
    const [own, after] = await Promise.all([rooting, next])
    expect(order).toEqual(['own root', 'queued call'])
    expect(after).toEqual(own)
    const refs: (Uint8Array | undefined)[] = new Array(16).fill(undefined)
    for (const { nibble, ref: r } of own) refs[nibble] = r
    const { root } = await rootOfSubtries(refs, (n) => shard.topNode(n))
    expect(`0x${Buffer.from(root).toString('hex')}`).toBe(await ref.root())
  })

  it('refuses every later call with ShardFailedError once an applyRoot failed part-way', async () => {
    const { tops } = await flushed()
    // A Db without the flushed nodes: the root cannot load the paths it updates.
    const shard = new AccountShard({ nibbles: shardNibbles(0, 1), reader: dbShardReader(memoryDb()) })
    shard.open(tops)
    shard.putAccount(addr(3), acct(7))
    await expect(shard.exclusive(() => shard.applyRoot())).rejects.toThrow(MissingTrieNodeError)
    const refused = shard.exclusive(() => shard.readAccounts([addr(4)]))
    await expect(refused).rejects.toThrow(ShardFailedError)
    await expect(refused).rejects.toMatchObject({ cause: expect.any(MissingTrieNodeError) })
  })

  it('does not fail the shard for a refused applyRoot (an open checkpoint)', async () => {
    const { db, tops } = await flushed()
    const shard = new AccountShard({ nibbles: shardNibbles(0, 1), reader: dbShardReader(db) })
    shard.open(tops)
    shard.checkpoint()
    shard.putAccount(addr(3), acct(7))
    await expect(shard.exclusive(() => shard.applyRoot())).rejects.toThrow(/checkpoint/)
    shard.commitCheckpoint()
    await expect(shard.exclusive(() => shard.applyRoot())).resolves.toHaveLength(16)
  })
})
