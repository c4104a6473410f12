import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MessageChannel, Worker } from 'node:worker_threads'
import { type Address, type Db, type DbOp, type Hex, KECCAK_EMPTY, levelDb, type StateDb } from '@appchain/core'
import { tsBootstrap } from '@appchain/core/workers'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createShardedStateDb, type ShardedStateDb } from './shardedStateDb.js'
import { shardNibbles } from './shardHost.js'
import { createStateDb, type MptStateDb } from './stateDb.js'
import { verifyProof } from './verifyProof.js'

const ZERO = `0x${'0'.repeat(64)}` as Hex
const addr = (i: number) => `0x${(0xabc000 + i).toString(16).padStart(40, '0')}` as Address
const word = (i: number) => `0x${i.toString(16).padStart(64, '0')}` as Hex
const ADDRESSES = 12
const SLOTS = 4

type Op =
  | { t: 'put'; a: number; nonce: number; balance: number }
  | { t: 'putMany'; as: number[]; balance: number }
  | { t: 'store'; a: number; slot: number; value: number }
  | { t: 'storeMany'; a: number; slots: number[]; value: number }
  | { t: 'del'; a: number }
  | { t: 'clear'; a: number }
  | { t: 'code'; a: number; b: number }
  | { t: 'checkpoint' }
  | { t: 'commit' }
  | { t: 'revert' }
  | { t: 'root'; a: number }
  | { t: 'flush'; writeNow: boolean; reopen: boolean; cross: boolean }

const a = fc.nat(ADDRESSES - 1)
export const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ t: fc.constant('put' as const), a, nonce: fc.nat(4), balance: fc.nat(999) }) },
  {
    weight: 1,
    arbitrary: fc.record({ t: fc.constant('putMany' as const), as: fc.array(a, { maxLength: 4 }), balance: fc.nat(9) }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      t: fc.constant('store' as const),
      a,
      slot: fc.nat(SLOTS - 1),
      value: fc.oneof(fc.constant(0), fc.nat()),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('storeMany' as const),
      a,
      slots: fc.array(fc.nat(SLOTS - 1), { maxLength: 3 }),
      value: fc.nat(3),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('del' as const), a }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('clear' as const), a }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('code' as const), a, b: fc.nat(255) }) },
  { weight: 2, arbitrary: fc.constant({ t: 'checkpoint' as const }) },
  { weight: 2, arbitrary: fc.constant({ t: 'commit' as const }) },
  { weight: 2, arbitrary: fc.constant({ t: 'revert' as const }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('root' as const), a }) },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('flush' as const),
      writeNow: fc.boolean(),
      reopen: fc.boolean(),
      cross: fc.boolean(),
    }),
  },
)

/** Both outcomes of an op: equal results, or errors of the same class and message. */
async function same<T>(ref: () => Promise<T> | T, sharded: () => Promise<T> | T): Promise<T | undefined> {
  const settle = async (f: () => Promise<T> | T) => {
    try {
      return { ok: true as const, v: await f() }
    } catch (e) {
      return { ok: false as const, e: e as Error }
    }
  }
  const [r, s] = [await settle(ref), await settle(sharded)]
  if (r.ok && s.ok) {
    expect(s.v).toEqual(r.v)
    return r.v
  }
  expect(s.ok, `ref ${r.ok ? 'ok' : r.e.message}, sharded ${s.ok ? 'ok' : s.e.message}`).toBe(r.ok)
  if (!r.ok && !s.ok) {
    expect(s.e.constructor).toBe(r.e.constructor)
    expect(s.e.message).toBe(r.e.message)
  }
  return undefined
}

async function sameReads(ref: StateDb, sharded: StateDb, probe: number): Promise<void> {
  const p = addr(probe)
  await same(
    () => ref.getAccount(p),
    () => sharded.getAccount(p),
  )
  await same(
    () => ref.getStorage(p, word(probe % SLOTS)),
    () => sharded.getStorage(p, word(probe % SLOTS)),
  )
  await same(
    () => ref.getCode(p),
    () => sharded.getCode(p),
  )
}

async function sameEverywhere(ref: MptStateDb, sharded: ShardedStateDb): Promise<void> {
  const all = Array.from({ length: ADDRESSES }, (_, i) => addr(i))
  const slots = Array.from({ length: SLOTS }, (_, i) => word(i))
  expect(await sharded.getAccounts(all)).toEqual(await ref.getAccounts!(all))
  for (const a of all) expect(await sharded.getStorageMany(a, slots)).toEqual(await ref.getStorageMany!(a, slots))
}

async function sameCommitment(ref: StateDb, sharded: StateDb, probe: number): Promise<void> {
  const root = await same(
    () => ref.root(),
    () => sharded.root(),
  )
  const p = addr(probe)
  await same(
    () => ref.storageRoot(p),
    () => sharded.storageRoot(p),
  )
  const slots = [word(0), word(probe % SLOTS), word(SLOTS + 1)]
  const proof = await same(
    () => ref.getProof(p, slots),
    () => sharded.getProof(p, slots),
  )
  expect(verifyProof(root!, proof!)).toBe(true)
}

/** Every flat entry (accounts, storage, code, the root pointer) of a Db, as hex pairs. */
async function flatEntries(db: Db): Promise<string[]> {
  const out: string[] = []
  for await (const [k, v] of db.iterator({ gte: Uint8Array.of(0x53), lt: Uint8Array.of(0x54) }))
    if (k[1] !== 0x6e) out.push(`${Buffer.from(k).toString('hex')}=${Buffer.from(v).toString('hex')}`)
  return out
}

export interface ModelConfig {
  shards: number
  host: 'inThread' | 'worker'
  /** Opens the sharded state some other way (e.g. on ports to threads the test owns), instead of shards/host. */
  open?: (db: Db, root?: Hex) => Promise<ShardedStateDb>
}

/** Runs one op sequence on createStateDb and the sharded state (each on its own LevelDB), comparing every step. */
export async function runModel(ops: Op[], config: ModelConfig): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'sharded-model-'))
  const refDb: Db = await levelDb({ path: join(dir, 'ref') })
  const shDb: Db = await levelDb({ path: join(dir, 'sharded') })
  const open =
    config.open ??
    ((db: Db, root?: Hex) => createShardedStateDb({ db, shards: config.shards, host: config.host, root }))
  let ref = createStateDb({ db: refDb })
  let sharded: ShardedStateDb = await open(shDb)
  let depth = 0
  let unwritten: { ref: DbOp[]; sharded: DbOp[] } | undefined
  const write = async () => {
    if (unwritten === undefined) return
    await refDb.batch(unwritten.ref)
    await shDb.batch(unwritten.sharded)
    unwritten = undefined
  }
  try {
    for (const [step, op] of ops.entries()) {
      switch (op.t) {
        case 'put': {
          const codeHash = (await ref.getAccount(addr(op.a)))?.codeHash ?? KECCAK_EMPTY
          const account = { nonce: BigInt(op.nonce), balance: BigInt(op.balance), codeHash }
          await same(
            () => ref.putAccount(addr(op.a), account),
            () => sharded.putAccount(addr(op.a), account),
          )
          break
        }
        case 'putMany': {
          const as = op.as.map(addr)
          const accounts = as.map((_, i) =>
            i % 3 === 2 ? undefined : { nonce: 1n, balance: BigInt(op.balance + i), codeHash: KECCAK_EMPTY },
          )
          await same(
            () => ref.putAccounts!(as, accounts),
            () => sharded.putAccounts(as, accounts),
          )
          await same(
            () => ref.getAccounts!([...as, addr(step % ADDRESSES)]),
            () => sharded.getAccounts([...as, addr(step % ADDRESSES)]),
          )
          break
        }
        case 'store': {
          const value = op.value === 0 ? ZERO : word(op.value)
          await same(
            () => ref.putStorage(addr(op.a), word(op.slot), value),
            () => sharded.putStorage(addr(op.a), word(op.slot), value),
          )
          break
        }
        case 'storeMany': {
          const entries = op.slots.map((s, i) => [word(s), word((op.value + i) % 3)] as [Hex, Hex])
          await same(
            () => ref.putStorageMany!(addr(op.a), entries),
            () => sharded.putStorageMany(addr(op.a), entries),
          )
          const slots = [...op.slots.map(word), word(SLOTS - 1)]
          await same(
            () => ref.getStorageMany!(addr(op.a), slots),
            () => sharded.getStorageMany(addr(op.a), slots),
          )
          break
        }
        case 'del':
          await ref.putAccount(addr(op.a), undefined)
          await sharded.putAccount(addr(op.a), undefined)
          break
        case 'clear':
          await ref.clearStorage(addr(op.a))
          await sharded.clearStorage(addr(op.a))
          break
        case 'code': {
          const code = Uint8Array.of(0x60, op.b, 0x00)
          await ref.putCode(addr(op.a), code)
          await sharded.putCode(addr(op.a), code)
          break
        }
        case 'checkpoint':
          ref.checkpoint()
          sharded.checkpoint()
          depth++
          break
        case 'commit':
        case 'revert':
          await same(
            () => ref[op.t](),
            () => sharded[op.t](),
          )
          if (depth > 0) depth--
          // After a revert every account and slot reads as before the checkpoint (one batched read each).
          if (op.t === 'revert') await sameEverywhere(ref, sharded)
          break
        case 'root':
          await sameCommitment(ref, sharded, op.a)
          break
        case 'flush': {
          if (depth > 0) {
            await same(
              () => ref.flush().then(() => undefined),
              () => sharded.flush().then(() => undefined),
            )
            for (; depth > 0; depth--) {
              ref.commit()
              sharded.commit()
            }
          }
          await write()
          const r = await ref.flush()
          const s = await sharded.flush()
          expect(s.root).toBe(r.root)
          unwritten = { ref: r.ops, sharded: s.ops }
          if (!op.writeNow) break
          await write()
          // The flat state in both Dbs is the same, key for key (trie nodes may differ: the sharded state also
          // stores a subtrie's top when the root is not a branch).
          expect(await flatEntries(shDb)).toEqual(await flatEntries(refDb))
          if (op.reopen) {
            ref = createStateDb({ db: refDb, root: r.root })
            await sharded.close()
            sharded = await open(shDb, s.root)
          }
          if (op.cross) {
            // A Db written by one opens in the other, at the same root with the same reads.
            const plain = createStateDb({ db: shDb, root: s.root })
            // (in-thread shards for the cross check: workers are checked on their own Db, and start slowly under tsx)
            const other = await createShardedStateDb({
              db: refDb,
              shards: config.shards,
              host: 'inThread',
              root: r.root,
            })
            try {
              expect(await plain.root()).toBe(r.root)
              expect(await other.root()).toBe(r.root)
              for (let i = 0; i < ADDRESSES; i += 3) {
                await sameReads(ref, plain, i)
                await sameReads(ref, other, i)
              }
              await sameCommitment(ref, other, step % ADDRESSES)
            } finally {
              await other.close()
            }
          }
          break
        }
      }
      await sameReads(ref, sharded, step % ADDRESSES)
    }
    await sameCommitment(ref, sharded, 0)
  } finally {
    await sharded.close()
    await refDb.close()
    await shDb.close()
    await rm(dir, { recursive: true, force: true })
  }
}

describe('sharded state against createStateDb (random operations, LevelDB)', () => {
  it('clearing storage that only the Db holds (after a reopen) deletes it', async () => {
    for (const shards of [1, 2])
      await runModel(
        [
          { t: 'put', a: 1, nonce: 1, balance: 5 },
          { t: 'store', a: 1, slot: 2, value: 7 },
          { t: 'flush', writeNow: true, reopen: true, cross: false },
          { t: 'clear', a: 1 },
          { t: 'store', a: 1, slot: 3, value: 8 },
          { t: 'flush', writeNow: true, reopen: true, cross: true },
          { t: 'del', a: 1 },
          { t: 'flush', writeNow: true, reopen: true, cross: true },
        ],
        { shards, host: 'inThread' },
      )
  })

  for (const shards of [1, 2, 4]) {
    it(`${shards} in-thread shard(s): same reads, roots, storage roots, proofs, errors; Dbs open in each other`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(opArb, { minLength: 40, maxLength: 200 }), (ops) =>
          runModel(ops, { shards, host: 'inThread' }),
        ),
        { numRuns: 20, seed: 4242 + shards },
      )
    })
  }
  for (const shards of [1, 2, 4]) {
    it(`${shards} worker shard(s): same reads, roots, storage roots, proofs, errors; Dbs open in each other`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(opArb, { minLength: 40, maxLength: 150 }), (ops) =>
          runModel(ops, { shards, host: 'worker' }),
        ),
        { numRuns: 3, seed: 4343 + shards },
      )
    }, 120_000)
  }
  it('2 shards served (serveShard) by plain workers the test owns, over fresh ports at each reopen', async () => {
    const url = new URL('./serveShard.testWorker.ts', import.meta.url)
    const workers = [0, 1].map(() => new Worker(tsBootstrap(url), { eval: true, execArgv: ['--conditions=source'] }))
    const handOver = () =>
      workers.map((worker, i) => {
        const { port1, port2 } = new MessageChannel()
        worker.postMessage({ port: port2, nibbles: shardNibbles(i, workers.length) }, [port2])
        return port1
      })
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(opArb, { minLength: 40, maxLength: 150 }), (ops) =>
          runModel(ops, {
            shards: 2,
            host: 'worker',
            open: (db, root) => createShardedStateDb({ db, ports: handOver(), root }),
          }),
        ),
        { numRuns: 3, seed: 4444 },
      )
    } finally {
      await Promise.all(workers.map((w) => w.terminate()))
    }
  }, 120_000)
})
