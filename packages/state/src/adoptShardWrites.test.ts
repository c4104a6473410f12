import { MessageChannel, type MessagePort } from 'node:worker_threads'
import { type Account, type Address, type Hex, KECCAK_EMPTY, memoryDb } from '@appchain/core'
import { describe, expect, it } from 'vitest'
import type { AccountShard } from './accountShard.js'
import { nibbleOf } from './accountShard.js'
import { serveShard } from './serveShard.js'
import { createShardedStateDb, type ShardedStateDb } from './shardedStateDb.js'
import { shardNibbles } from './shardHost.js'
import { createStateDb, type MptStateDb } from './stateDb.js'

// A state whose shards are served in this thread (serveShard on one end of a MessageChannel, as a VM worker hosts
// them), so the test writes into a shard itself, as that worker does, and then adopts the writes in the state.
const addr = (i: number) => `0x${(0xad0900 + i).toString(16).padStart(40, '0')}` as Address
const word = (i: number) => `0x${i.toString(16).padStart(64, '0')}` as Hex
const acct = (nonce: number, balance: number): Account => ({
  nonce: BigInt(nonce),
  balance: BigInt(balance),
  codeHash: KECCAK_EMPTY,
})

async function setup() {
  const db = memoryDb()
  const shards: AccountShard[] = []
  const ports: MessagePort[] = []
  for (let i = 0; i < 2; i++) {
    const { port1, port2 } = new MessageChannel()
    shards.push(serveShard(port2, { nibbles: shardNibbles(i, 2) }))
    ports.push(port1)
  }
  const sharded = await createShardedStateDb({ db, ports })
  const ref = createStateDb({ db: memoryDb() })
  const accounts = Array.from({ length: 40 }, (_, i) => addr(i))
  // Genesis: 30 accounts, one with storage; flushed in both.
  for (const s of [sharded, ref] as (ShardedStateDb | MptStateDb)[]) {
    await s.putAccounts!(
      accounts.slice(0, 30),
      accounts.slice(0, 30).map((_, i) => acct(0, 1000 + i)),
    )
    await s.putStorageMany!(accounts[3]!, [
      [word(1), word(11)],
      [word(2), word(12)],
    ])
  }
  const { ops } = await sharded.flush()
  await db.batch(ops)
  await ref.flush()
  const shardOf = (a: Address) => shards[shardNibbles(0, 2).includes(nibbleOf(a)) ? 0 : 1]!
  return { db, shards, sharded, ref, accounts, shardOf }
}

/** Writes a block into the owning shards themselves (as a VM worker does), then applies their roots there. */
async function writeInShards(
  shardOf: (a: Address) => AccountShard,
  shards: AccountShard[],
  writes: [Address, Account][],
  storage: [Address, [Hex, Hex][]][],
): Promise<void> {
  for (const shard of shards) {
    const mine = writes.filter(([a]) => shardOf(a) === shard).map(([a]) => a)
    await shard.load(
      mine,
      storage.filter(([a]) => shardOf(a) === shard).flatMap(([a, e]) => e.map(([s]) => [a, s] as const)),
    )
  }
  for (const [a, account] of writes) shardOf(a).putAccount(a, account)
  for (const [a, entries] of storage) for (const [s, v] of entries) shardOf(a).putStorage(a, s, v)
  await Promise.all(shards.map((s) => s.applyRoot()))
}

const block = (accounts: Address[]): [Address, Account][] =>
  accounts.slice(10, 40).map((a, i) => [a, acct(1, 5000 + i)] as [Address, Account])
const blockStorage = (accounts: Address[]): [Address, [Hex, Hex][]][] => [
  [
    accounts[12]!,
    [
      [word(1), word(21)],
      [word(3), word(23)],
    ],
  ],
]

/** The block written into the shards and adopted by the sharded state, and written into the reference as usual. */
async function blockBoth(x: Awaited<ReturnType<typeof setup>>): Promise<void> {
  const writes = block(x.accounts)
  const storage = blockStorage(x.accounts)
  // accounts[12] gets storage in the block: it exists only once written, so its account goes first.
  await writeInShards(x.shardOf, x.shards, writes, storage)
  const addresses = writes.map(([a]) => a)
  const values = writes.map(([, v]) => v)
  await x.sharded.adoptShardWrites(addresses, values, storage)
  await x.ref.putAccounts!(addresses, values)
  for (const [a, e] of storage) await x.ref.putStorageMany!(a, e)
}

describe('ShardedStateDb.adoptShardWrites: writes the shards made themselves', () => {
  it('gives the same roots, reads, proofs and flush as createStateDb writing them', async () => {
    const x = await setup()
    const { db, sharded, ref, accounts } = x
    try {
      await blockBoth(x)
      // A write of the caller's after the adoption, to an adopted account and to one of its own.
      for (const s of [sharded, ref]) {
        await s.putAccount(accounts[15]!, acct(2, 77))
        await s.putAccount(accounts[2]!, acct(5, 55))
      }
      expect(await sharded.getAccount(accounts[20]!)).toEqual(await ref.getAccount(accounts[20]!))
      expect(await sharded.getStorage(accounts[12]!, word(3))).toBe(word(23))
      expect(await sharded.root()).toBe(await ref.root())
      expect(await sharded.getProof(accounts[12]!, [word(1)])).toEqual(await ref.getProof(accounts[12]!, [word(1)]))
      const { root, ops } = await sharded.flush()
      expect(root).toBe((await ref.flush()).root)
      await db.batch(ops)
      const view = await sharded.at(root)
      expect(await view!.getAccount(accounts[39]!)).toEqual(acct(1, 5029))
    } finally {
      await sharded.close()
    }
  })

  it('sends them again when a revert took them back, and when the caller wrote them since', async () => {
    const x = await setup()
    const { sharded, ref, accounts } = x
    try {
      for (const s of [sharded, ref]) s.checkpoint()
      await blockBoth(x)
      for (const s of [sharded, ref]) {
        s.revert()
        await s.putStorage(accounts[3]!, word(2), word(99))
      }
      // The shards hold the block's values; the state is back before it: the root sends the reverted accounts.
      expect(await sharded.root()).toBe(await ref.root())
      expect(await sharded.getAccount(accounts[35]!)).toBeUndefined()
      expect((await sharded.flush()).root).toBe((await ref.flush()).root)
    } finally {
      await sharded.close()
    }
  })

  it('does not send them to the shards again (a value the shard does not hold stays out of the root)', async () => {
    const { shards, sharded, ref, accounts, shardOf } = await setup()
    try {
      const writes = block(accounts)
      await writeInShards(shardOf, shards, writes, [])
      await ref.putAccounts!(
        writes.map(([a]) => a),
        writes.map(([, v]) => v),
      )
      // Breaks the contract on purpose: one adopted value differs from what its shard wrote.
      const adopted = writes.map(([, v], i) => (i === 7 ? acct(9, 9) : v))
      await sharded.adoptShardWrites(
        writes.map(([a]) => a),
        adopted,
      )
      expect(await sharded.getAccount(writes[7]![0])).toEqual(acct(9, 9))
      expect(await sharded.root()).toBe(await ref.root())
    } finally {
      await sharded.close()
    }
  })

  it('refuses mismatched lengths and bad values before writing anything', async () => {
    const { sharded, accounts } = await setup()
    try {
      await expect(sharded.adoptShardWrites([accounts[0]!], [])).rejects.toThrow(RangeError)
      await expect(sharded.adoptShardWrites([accounts[0]!], [acct(-1, 0)])).rejects.toThrow(/Invalid nonce/)
      await expect(
        sharded.adoptShardWrites([accounts[0]!], [undefined as unknown as ReturnType<typeof acct>]),
      ).rejects.toThrow(TypeError)
      expect(await sharded.getAccount(accounts[0]!)).toEqual(acct(0, 1000))
    } finally {
      await sharded.close()
    }
  })
})
