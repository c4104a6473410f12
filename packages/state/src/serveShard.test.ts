import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads'
import { type Address, type Hex, KECCAK_EMPTY, levelDb, memoryDb } from '@appchain/core'
import { tsBootstrap, WorkerCrashedError, WorkerPoolClosedError } from '@appchain/core/workers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ShardNibblesError } from './errors.js'
import { serveShard } from './serveShard.js'
import { createShardedStateDb } from './shardedStateDb.js'
import { shardNibbles } from './shardHost.js'
import { createStateDb } from './stateDb.js'
import { verifyProof } from './verifyProof.js'

const addr = (i: number) => `0x${(0xdef000 + i).toString(16).padStart(40, '0')}` as Address
const word = (i: number) => `0x${i.toString(16).padStart(64, '0')}` as Hex
const acct = (i: number) => ({ nonce: BigInt(i % 3), balance: BigInt(1000 + i), codeHash: KECCAK_EMPTY })

/**
 * A plain worker of the test's own (not a shard worker), running the .ts fixture under tsx (registered by a
 * bootstrap: `execArgv: ['--import', 'tsx']` does not reach a worker's entry module on Node 20).
 */
async function startWorker(): Promise<Worker> {
  const url = new URL('./serveShard.testWorker.ts', import.meta.url)
  const worker = new Worker(tsBootstrap(url), { eval: true, execArgv: ['--conditions=source'] })
  await ping(worker)
  return worker
}

async function ping(worker: Worker): Promise<void> {
  worker.postMessage('ping')
  const [msg] = await once(worker, 'message')
  expect(msg).toBe('pong')
}

/** One MessageChannel per worker: one end to the worker (serveShard with the nibbles), the other returned. */
function handOver(workers: Worker[], nibbles = (i: number) => shardNibbles(i, workers.length)): MessagePort[] {
  return workers.map((worker, i) => {
    const { port1, port2 } = new MessageChannel()
    worker.postMessage({ port: port2, nibbles: nibbles(i) }, [port2])
    return port1
  })
}

describe('serveShard: shards in threads the caller owns', () => {
  let workers: Worker[] = []
  let dir = ''
  beforeAll(async () => {
    workers = await Promise.all([startWorker(), startWorker()])
    dir = await mkdtemp(join(tmpdir(), 'serve-shard-'))
  }, 60_000)
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.terminate()))
    await rm(dir, { recursive: true, force: true })
  })

  it('createShardedStateDb({ ports }) on a LevelDB: same roots, reads, proofs, flush and reopen as createStateDb', async () => {
    const db = await levelDb({ path: join(dir, 'sharded') })
    const refDb = memoryDb()
    const ref = createStateDb({ db: refDb })
    const accounts = Array.from({ length: 40 }, (_, i) => addr(i))
    try {
      let sharded = await createShardedStateDb({ db, ports: handOver(workers) })
      expect(sharded.shardCount).toBe(2)
      try {
        for (const s of [ref, sharded]) {
          await s.putAccounts!(
            accounts,
            accounts.map((_, i) => acct(i)),
          )
          await s.putStorageMany!(accounts[5]!, [
            [word(1), word(7)],
            [word(2), word(8)],
          ])
          await s.putCode(accounts[6]!, Uint8Array.of(0x60, 0x01, 0x00))
        }
        expect(await sharded.root()).toBe(await ref.root())
        const first = await sharded.flush()
        const refFirst = await ref.flush()
        expect(first.root).toBe(refFirst.root)
        await refDb.batch(refFirst.ops)
        await db.batch(first.ops)
        // A second block on top of the flushed one: the shards read what they do not hold through the ports.
        for (const s of [ref, sharded]) {
          await s.putAccount(accounts[1]!, undefined)
          await s.putStorage(accounts[5]!, word(1), word(0))
          await s.putAccount(addr(100), acct(100))
        }
        const second = await sharded.flush()
        const refSecond = await ref.flush()
        expect(second.root).toBe(refSecond.root)
        await refDb.batch(refSecond.ops)
        await db.batch(second.ops)
        await sharded.close()
        // Reopened at the flushed root, on fresh ports to the same threads: the same reads and proofs.
        sharded = await createShardedStateDb({ db, ports: handOver(workers), root: second.root })
        const all = [...accounts, addr(100)]
        expect(await sharded.getAccounts(all)).toEqual(await ref.getAccounts!(all))
        expect(await sharded.getStorageMany(accounts[5]!, [word(1), word(2)])).toEqual([word(0), word(8)])
        expect(await sharded.getCode(accounts[6]!)).toEqual(Uint8Array.of(0x60, 0x01, 0x00))
        expect(await sharded.root()).toBe(second.root)
        expect(await sharded.storageRoot(accounts[5]!)).toBe(await ref.storageRoot(accounts[5]!))
        const proof = await sharded.getProof(accounts[5]!, [word(2)])
        expect(proof).toEqual(await ref.getProof(accounts[5]!, [word(2)]))
        expect(verifyProof(second.root, proof)).toBe(true)
        // The Db it wrote opens in createStateDb at the same root.
        expect(await createStateDb({ db, root: second.root }).getAccounts!(all)).toEqual(await ref.getAccounts!(all))
      } finally {
        await sharded.close()
      }
      await expect(sharded.getAccount(addr(999))).rejects.toBeInstanceOf(WorkerPoolClosedError)
      // close() closed the ports only: the threads it did not start still answer.
      for (const w of workers) await ping(w)
    } finally {
      await db.close()
    }
  }, 60_000)

  it('refuses ports with shards/host, and ports whose shards do not own each nibble once', async () => {
    const db = memoryDb()
    const { port1, port2 } = new MessageChannel()
    try {
      await expect(createShardedStateDb({ db, ports: [port1], shards: 2 })).rejects.toBeInstanceOf(TypeError)
      await expect(createShardedStateDb({ db, ports: [port1], host: 'worker' })).rejects.toBeInstanceOf(TypeError)
      await expect(createShardedStateDb({ db, ports: [] })).rejects.toBeInstanceOf(RangeError)
      await expect(createShardedStateDb({ db, ports: [{} as MessagePort] })).rejects.toBeInstanceOf(TypeError)
    } finally {
      port1.close()
      port2.close()
    }
    // Both threads serve nibbles 0–7: 8–15 have no owner.
    const ports = handOver(workers, () => shardNibbles(0, 2))
    const err = await createShardedStateDb({ db, ports }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ShardNibblesError)
    expect((err as ShardNibblesError).data).toEqual({ nibbles: [shardNibbles(0, 2), shardNibbles(0, 2)] })
    expect(() => serveShard({} as MessagePort, { nibbles: [0] })).toThrow(TypeError)
    for (const w of workers) await ping(w)
  })

  it('a serving thread that exits fails the calls with WorkerCrashedError', async () => {
    const worker = await startWorker()
    const ports = handOver([worker], () => shardNibbles(0, 1))
    const state = await createShardedStateDb({ db: memoryDb(), ports })
    try {
      await worker.terminate()
      await expect(state.getAccount(addr(1))).rejects.toBeInstanceOf(WorkerCrashedError)
    } finally {
      await state.close()
    }
  }, 30_000)

  it('returns the served shard: the serving thread reads the state now after a root', async () => {
    const { port1, port2 } = new MessageChannel()
    const shard = serveShard(port2, { nibbles: shardNibbles(0, 1) })
    const state = await createShardedStateDb({ db: memoryDb(), ports: [port1] })
    try {
      await state.putAccount(addr(7), acct(7))
      await state.putStorage(addr(7), word(1), word(42))
      await state.root()
      await shard.load([addr(7), addr(8)], [[addr(7), word(1)]])
      expect(shard.nibbles).toEqual(shardNibbles(0, 1))
      expect(shard.getAccount(addr(7))).toEqual(acct(7))
      expect(shard.getAccount(addr(8))).toBeUndefined()
      expect(shard.getStorage(addr(7), word(1))).toBe(word(42))
    } finally {
      await state.close()
      port2.close()
    }
  })
})
