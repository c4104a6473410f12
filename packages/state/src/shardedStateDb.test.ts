import {
  type Account,
  type Address,
  type Db,
  EMPTY_TRIE_ROOT,
  type Hex,
  KECCAK_EMPTY,
  memoryDb,
  type StateDb,
} from '@appchain/core'
import { WorkerPoolClosedError } from '@appchain/core/workers'
import { describe, expect, it } from 'vitest'
import { nibbleOf } from './accountShard.js'
import { AccountNotFoundError, MissingTrieNodeError, NoCheckpointError, OpenCheckpointError } from './errors.js'
import { keccak256 } from './keccak.js'
import { createShardedStateDb, type ShardedStateDb } from './shardedStateDb.js'
import { createStateDb, type MptStateDb } from './stateDb.js'
import { verifyProof } from './verifyProof.js'

const addr = (i: number) => `0x${i.toString(16).padStart(40, '0')}` as Address
const word = (i: number) => `0x${i.toString(16).padStart(64, '0')}` as Hex
const acct = (balance: number): Account => ({ nonce: 1n, balance: BigInt(balance), codeHash: KECCAK_EMPTY })

/** The first `count` addresses (from `from` on) whose keccak starts with `nibble`. */
function underNibble(nibble: number, count: number, from = 1): Address[] {
  const out: Address[] = []
  for (let i = from; out.length < count; i++) if (nibbleOf(addr(i)) === nibble) out.push(addr(i))
  return out
}

/** Two addresses whose keccak shares its first two nibbles (their subtrie's top is an extension or a branch). */
function sharingTwoNibbles(): [Address, Address] {
  const seen = new Map<number, Address>()
  for (let i = 1; ; i++) {
    const a = addr(i)
    const n = nibbleOf(a)
    if (n !== 3) continue
    const second = keccak256(Buffer.from(a.slice(2), 'hex'))[0]! & 0x0f
    const prev = seen.get(second)
    if (prev !== undefined) return [prev, a]
    seen.set(second, a)
  }
}

async function pair(shards = 2): Promise<{ db: Db; ref: MptStateDb; sharded: ShardedStateDb; refDb: Db }> {
  const refDb = memoryDb()
  const db = memoryDb()
  return {
    refDb,
    db,
    ref: createStateDb({ db: refDb }),
    sharded: await createShardedStateDb({ db, shards, host: 'inThread' }),
  }
}

/** Same root, and for each address the same proof, which verifies. */
async function sameCommitment(ref: StateDb, sharded: StateDb, addresses: Address[]): Promise<Hex> {
  const root = await ref.root()
  expect(await sharded.root()).toBe(root)
  for (const a of addresses) {
    const proof = await sharded.getProof(a, [word(1), word(2)])
    expect(proof).toEqual(await ref.getProof(a, [word(1), word(2)]))
    expect(verifyProof(root, proof)).toBe(true)
    expect(await sharded.storageRoot(a)).toBe(await ref.storageRoot(a))
  }
  return root
}

describe('createShardedStateDb: degenerate tries', () => {
  it('the empty state has the empty root, flushes and reopens as empty', async () => {
    const { db, sharded } = await pair()
    expect(await sharded.root()).toBe(EMPTY_TRIE_ROOT)
    const { root, ops } = await sharded.flush()
    expect(root).toBe(EMPTY_TRIE_ROOT)
    await db.batch(ops)
    const again = await createShardedStateDb({ db, shards: 4, host: 'inThread', root })
    expect(await again.root()).toBe(EMPTY_TRIE_ROOT)
    expect(await again.getAccount(addr(1))).toBeUndefined()
    const proof = await again.getProof(addr(1), [word(1)])
    expect(proof.accountProof).toEqual([])
    expect(verifyProof(EMPTY_TRIE_ROOT, proof)).toBe(true)
  })

  it('one account: its root is a leaf; flushed, it opens in createStateDb and back', async () => {
    const { db, ref, sharded } = await pair()
    const [a] = underNibble(9, 1)
    for (const s of [ref, sharded]) {
      await s.putAccount(a!, acct(5))
      await s.putStorage(a!, word(1), word(7))
    }
    const root = await sameCommitment(ref, sharded, [a!, addr(0xdead)])
    const { ops } = await sharded.flush()
    await db.batch(ops)
    const plain = createStateDb({ db, root })
    expect(await plain.getAccount(a!)).toEqual(acct(5))
    expect(await plain.getStorage(a!, word(1))).toBe(word(7))
    await sameCommitment(ref, plain, [a!])
    // A Db written by createStateDb (root not a branch): the shard gets its subtrie's top re-encoded.
    const refDb = memoryDb()
    const r = createStateDb({ db: refDb })
    await r.putAccount(a!, acct(5))
    await r.putStorage(a!, word(1), word(7))
    await refDb.batch((await r.flush()).ops)
    const opened = await createShardedStateDb({ db: refDb, shards: 2, host: 'inThread', root })
    await sameCommitment(ref, opened, [a!])
    await opened.putAccount(a!, acct(6))
    await ref.putAccount(a!, acct(6))
    await sameCommitment(ref, opened, [a!])
  })

  it('all accounts under one first nibble: the root is an extension (or a leaf), in both directions', async () => {
    for (const accounts of [underNibble(5, 6), sharingTwoNibbles()]) {
      const { db, refDb, ref, sharded } = await pair(4)
      for (const s of [ref, sharded]) for (const [i, a] of accounts.entries()) await s.putAccount(a, acct(i + 1))
      await sameCommitment(ref, sharded, [...accounts, ...underNibble(5, 1, 5000), addr(0xdead)])
      const { root, ops } = await sharded.flush()
      await db.batch(ops)
      await refDb.batch((await ref.flush()).ops)
      // Each Db opens in the other kind of state at the same root, with the same reads and proofs.
      const plain = createStateDb({ db, root })
      const opened = await createShardedStateDb({ db: refDb, shards: 4, host: 'inThread', root })
      for (const a of accounts) {
        expect(await plain.getAccount(a)).toEqual(await ref.getAccount(a))
        expect(await opened.getAccount(a)).toEqual(await ref.getAccount(a))
      }
      await sameCommitment(ref, opened, accounts)
      // An account under another nibble makes the root a branch; deleting it makes it the extension again.
      const [other] = underNibble(12, 1)
      for (const s of [ref, opened]) await s.putAccount(other!, acct(9))
      await sameCommitment(ref, opened, [other!, accounts[0]!])
      for (const s of [ref, opened]) await s.putAccount(other!, undefined)
      expect(await sameCommitment(ref, opened, [other!, accounts[0]!])).toBe(root)
    }
  })

  it('deleting the last account of a nibble, then of the state', async () => {
    const { db, ref, sharded } = await pair()
    const [a] = underNibble(1, 1)
    const [b] = underNibble(14, 1)
    for (const s of [ref, sharded]) {
      await s.putAccount(a!, acct(1))
      await s.putAccount(b!, acct(2))
      await s.putStorage(b!, word(2), word(3))
    }
    await sameCommitment(ref, sharded, [a!, b!])
    await db.batch((await sharded.flush()).ops)
    await ref.flush()
    for (const s of [ref, sharded]) await s.putAccount(b!, undefined)
    await sameCommitment(ref, sharded, [a!, b!])
    const { root, ops } = await sharded.flush()
    expect(root).toBe((await ref.flush()).root)
    await db.batch(ops)
    const reopened = await createShardedStateDb({ db, shards: 2, host: 'inThread', root })
    expect(await reopened.getStorage(b!, word(2))).toBe(word(0))
    for (const s of [ref, reopened]) await s.putAccount(a!, undefined)
    expect(await reopened.root()).toBe(EMPTY_TRIE_ROOT)
    await sameCommitment(ref, reopened, [a!, b!])
    const last = await reopened.flush()
    expect(last.root).toBe(EMPTY_TRIE_ROOT)
    await db.batch(last.ops)
    for await (const [key] of db.iterator({ gte: Uint8Array.of(0x53, 0x61), lt: Uint8Array.of(0x53, 0x62) }))
      throw new Error(`account record left: ${Buffer.from(key).toString('hex')}`)
  })
})

describe('createShardedStateDb: bad input', () => {
  it('gets the same typed errors as createStateDb', async () => {
    const { ref, sharded } = await pair()
    const cases: [string, (s: StateDb) => unknown][] = [
      ['bad address', (s) => s.getAccount('0x12' as Address)],
      ['bad slot', (s) => s.getStorage(addr(1), 'nope' as Hex)],
      ['bad value', (s) => s.putStorage(addr(1), word(1), `0x${'1'.repeat(65)}` as Hex)],
      ['negative balance', (s) => s.putAccount(addr(1), { ...acct(1), balance: -1n })],
      ['bad code hash', (s) => s.putAccount(addr(1), { ...acct(1), codeHash: '0x12' as Hex })],
      ['storage of a missing account', (s) => s.putStorage(addr(77), word(1), word(1))],
      ['putAccounts lengths', (s) => s.putAccounts!([addr(1)], [])],
      ['code not bytes', (s) => s.putCode(addr(1), 'x' as unknown as Uint8Array)],
      ['commit without checkpoint', (s) => s.commit()],
      ['revert without checkpoint', (s) => s.revert()],
    ]
    for (const [what, f] of cases) {
      const outcome = async (s: StateDb) => {
        try {
          await f(s)
          return undefined
        } catch (e) {
          return e as Error
        }
      }
      const [r, s] = [await outcome(ref), await outcome(sharded)]
      expect(r, what).toBeInstanceOf(Error)
      expect(s?.constructor, what).toBe(r!.constructor)
      expect(s?.message, what).toBe(r!.message)
    }
    await expect(sharded.putStorage(addr(77), word(1), word(1))).rejects.toBeInstanceOf(AccountNotFoundError)
    expect(() => sharded.commit()).toThrow(NoCheckpointError)
    sharded.checkpoint()
    await expect(sharded.flush()).rejects.toBeInstanceOf(OpenCheckpointError)
  })

  it('refuses bad config and a root the Db does not hold', async () => {
    const db = memoryDb()
    await expect(createShardedStateDb({ db, shards: 17 })).rejects.toBeInstanceOf(RangeError)
    await expect(createShardedStateDb({ db, shards: 1.5 })).rejects.toBeInstanceOf(RangeError)
    await expect(createShardedStateDb({ db, root: '0x12' as Hex })).rejects.toBeInstanceOf(TypeError)
    await expect(createShardedStateDb({} as never)).rejects.toBeInstanceOf(TypeError)
    await expect(createShardedStateDb({ db, root: word(1) })).rejects.toBeInstanceOf(MissingTrieNodeError)
  })
})

describe('createShardedStateDb: views and workers', () => {
  it('shards: 0 is one shard in this thread; at(root) reads a flushed root through createStateDb', async () => {
    const db = memoryDb()
    const sharded = await createShardedStateDb({ db })
    expect(sharded.shardCount).toBe(1)
    await sharded.putAccount(addr(1), acct(1))
    const first = await sharded.flush()
    await db.batch(first.ops)
    await sharded.putAccount(addr(1), acct(2))
    await db.batch((await sharded.flush()).ops)
    const past = await sharded.at(first.root)
    expect(await past?.getAccount(addr(1))).toEqual(acct(1))
    expect(await sharded.getAccount(addr(1))).toEqual(acct(2))
  })

  it('worker shards read the Db through the main thread and stop on close()', async () => {
    const db = memoryDb()
    const ref = createStateDb({ db: memoryDb() })
    const sharded = await createShardedStateDb({ db, shards: 2 })
    expect(sharded.shardCount).toBe(2)
    try {
      const accounts = Array.from({ length: 50 }, (_, i) => addr(i + 1))
      for (const s of [ref, sharded]) {
        await s.putAccounts!(
          accounts,
          accounts.map((_, i) => acct(i)),
        )
        await s.putStorageMany!(accounts[3]!, [[word(1), word(9)]])
      }
      const { root, ops } = await sharded.flush()
      expect(root).toBe((await ref.flush()).root)
      await db.batch(ops)
      const reopened = await createShardedStateDb({ db, shards: 2, root })
      try {
        expect(await reopened.getAccounts(accounts)).toEqual(await ref.getAccounts!(accounts))
        expect(await reopened.getStorageMany(accounts[3]!, [word(1), word(2)])).toEqual([word(9), word(0)])
        await sameCommitment(ref, reopened, accounts.slice(0, 5))
      } finally {
        await reopened.close()
      }
    } finally {
      await sharded.close()
    }
    await expect(sharded.getAccount(addr(999))).rejects.toBeInstanceOf(WorkerPoolClosedError)
  })
})
