import { type Address, bytesToHex, type Hex, KECCAK_EMPTY, keccak256, memoryDb } from '@appchain/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { AccountShard, nibbleOf } from './accountShard.js'
import { AccountNotFoundError, NoCheckpointError, OpenCheckpointError } from './errors.js'
import { rootOfSubtries } from './rootNode.js'
import { shardFlushOps } from './shardFlushOps.js'
import { dbShardReader, shardNibbles } from './shardHost.js'
import { createStateDb } from './stateDb.js'

const addr = (i: number) => `0x${(0xfee000 + i).toString(16).padStart(40, '0')}` as Address
const word = (i: number) => `0x${i.toString(16).padStart(64, '0')}` as Hex
const ZERO = word(0)

type Op =
  | { t: 'put'; a: number; balance: number }
  | { t: 'del'; a: number }
  | { t: 'clear'; a: number }
  | { t: 'store'; a: number; slot: number; value: number }
  | { t: 'code'; a: number; b: number }
  | { t: 'root' }
  | { t: 'flush' }
  | { t: 'checkpoint' }
  | { t: 'commit' }
  | { t: 'revert' }

const a = fc.nat(3)
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ t: fc.constant('put' as const), a, balance: fc.nat(99) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('del' as const), a }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('clear' as const), a }) },
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant('store' as const),
      a,
      slot: fc.nat(3),
      value: fc.oneof(fc.constant(0), fc.nat()),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('code' as const), a, b: fc.nat(255) }) },
  { weight: 1, arbitrary: fc.constant({ t: 'root' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'flush' as const }) },
  { weight: 2, arbitrary: fc.constant({ t: 'checkpoint' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'commit' as const }) },
  { weight: 2, arbitrary: fc.constant({ t: 'revert' as const }) },
)

describe('AccountShard: synchronous writes in its own thread', () => {
  it('one shard over all nibbles, written directly (nested checkpoints too), has createStateDb roots, reads and Db after flushes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 10, maxLength: 80 }), async (ops) => {
        const refDb = memoryDb()
        const db = memoryDb()
        const ref = createStateDb({ db: refDb })
        const shard = new AccountShard({ nibbles: shardNibbles(0, 1), reader: dbShardReader(db) })
        let depth = 0
        const root = async () => {
          // Roots are taken with every checkpoint committed (the shard refuses an open one).
          for (; depth > 0; depth--) {
            ref.commit()
            shard.commitCheckpoint()
          }
          const refs: (Uint8Array | undefined)[] = new Array(16).fill(undefined)
          for (const { nibble, ref } of await shard.applyRoot()) refs[nibble] = ref
          return rootOfSubtries(refs, (n) => shard.topNode(n))
        }
        for (const op of ops) {
          if ('a' in op) await shard.load([addr(op.a)], [[addr(op.a), word(op.t === 'store' ? op.slot : 0)]])
          switch (op.t) {
            case 'put': {
              const account = {
                nonce: 1n,
                balance: BigInt(op.balance),
                codeHash: (await ref.getAccount(addr(op.a)))?.codeHash ?? KECCAK_EMPTY,
              }
              await ref.putAccount(addr(op.a), account)
              shard.putAccount(addr(op.a), account)
              break
            }
            case 'del':
              await ref.putAccount(addr(op.a), undefined)
              shard.putAccount(addr(op.a), undefined)
              break
            case 'clear':
              await ref.clearStorage(addr(op.a))
              shard.clearStorage(addr(op.a))
              break
            case 'store': {
              const value = op.value === 0 ? ZERO : word(op.value)
              const exists = (await ref.getAccount(addr(op.a))) !== undefined
              if (exists) {
                await ref.putStorage(addr(op.a), word(op.slot), value)
                shard.putStorage(addr(op.a), word(op.slot), value)
              } else expect(() => shard.putStorage(addr(op.a), word(op.slot), value)).toThrow(AccountNotFoundError)
              break
            }
            case 'code': {
              const code = Uint8Array.of(0x60, op.b)
              await ref.putCode(addr(op.a), code)
              shard.setCodeHash(addr(op.a), bytesToHex(keccak256(code)))
              break
            }
            case 'checkpoint':
              ref.checkpoint()
              shard.checkpoint()
              depth++
              break
            case 'commit':
            case 'revert':
              if (depth === 0) {
                expect(() => (op.t === 'commit' ? shard.commitCheckpoint() : shard.revertCheckpoint())).toThrow(
                  NoCheckpointError,
                )
                break
              }
              ref[op.t]()
              if (op.t === 'commit') shard.commitCheckpoint()
              else shard.revertCheckpoint()
              depth--
              break
            case 'root':
              expect(bytesToHex((await root()).root)).toBe(await ref.root())
              break
            case 'flush': {
              const { root: rootBytes, encoding } = await root()
              const r = await ref.flush()
              expect(bytesToHex(rootBytes)).toBe(r.root)
              const packed = shard.commit()
              await db.batch(await shardFlushOps({ db, packed: [packed], root: rootBytes, rootEncoding: encoding }))
              await refDb.batch(r.ops)
              break
            }
          }
          // Every account and slot in play reads the same after every step.
          for (let i = 0; i < 4; i++) {
            const slots = [0, 1, 2, 3].map(word)
            await shard.load(
              [addr(i)],
              slots.map((s) => [addr(i), s] as const),
            )
            expect(shard.getAccount(addr(i))).toEqual(await ref.getAccount(addr(i)))
            for (const s of slots) expect(shard.getStorage(addr(i), s)).toBe(await ref.getStorage(addr(i), s))
          }
        }
        expect(bytesToHex((await root()).root)).toBe(await ref.root())
        // A Db written through the shard opens in createStateDb with the same reads.
        const r = await ref.flush()
        const { root: rootBytes, encoding } = await root()
        await db.batch(await shardFlushOps({ db, packed: [shard.commit()], root: rootBytes, rootEncoding: encoding }))
        const plain = createStateDb({ db, root: r.root })
        for (let i = 0; i < 4; i++) expect(await plain.getAccount(addr(i))).toEqual(await ref.getAccount(addr(i)))
      }),
      { numRuns: 100, seed: 77 },
    )
  })

  it('a reverted clear or delete gives the storage back', async () => {
    const shard = new AccountShard({ nibbles: shardNibbles(0, 1), reader: dbShardReader(memoryDb()) })
    await shard.load([addr(1)], [[addr(1), word(1)]])
    shard.putAccount(addr(1), { nonce: 0n, balance: 1n, codeHash: KECCAK_EMPTY })
    shard.putStorage(addr(1), word(1), word(5))
    for (const undo of [() => shard.clearStorage(addr(1)), () => shard.putAccount(addr(1), undefined)]) {
      shard.checkpoint()
      undo()
      expect(shard.getStorage(addr(1), word(1))).toBe(ZERO)
      shard.revertCheckpoint()
      expect(shard.getStorage(addr(1), word(1))).toBe(word(5))
      expect(shard.getAccount(addr(1))?.balance).toBe(1n)
    }
  })

  it('refuses bad input and mixing its own writes with a caller batch', async () => {
    const shard = new AccountShard({ nibbles: shardNibbles(0, 1), reader: dbShardReader(memoryDb()) })
    expect(() => shard.putAccount('0x12' as Address, undefined)).toThrow(TypeError)
    expect(() => shard.putAccount(addr(1), { nonce: -1n, balance: 0n, codeHash: KECCAK_EMPTY })).toThrow(RangeError)
    expect(() => shard.getAccount(addr(1))).toThrow(RangeError) // not loaded
    await shard.load([addr(1)])
    expect(() => shard.putStorage(addr(1), word(1), word(1))).toThrow(AccountNotFoundError)
    shard.putAccount(addr(1), { nonce: 0n, balance: 1n, codeHash: KECCAK_EMPTY })
    await expect(shard.applyRoot([{ address: addr(2), account: null }])).rejects.toBeInstanceOf(RangeError)
    shard.checkpoint()
    await expect(shard.applyRoot()).rejects.toBeInstanceOf(OpenCheckpointError)
    shard.revertCheckpoint()
    expect(() => shard.revertCheckpoint()).toThrow(NoCheckpointError)
    expect(() => new AccountShard({ nibbles: [16], reader: dbShardReader(memoryDb()) })).toThrow(RangeError)
    // Writes to another shard's account are refused at once.
    const half = new AccountShard({ nibbles: shardNibbles(0, 2), reader: dbShardReader(memoryDb()) })
    let foreign = 0
    while (nibbleOf(addr(foreign)) < 8) foreign++
    expect(() => half.putAccount(addr(foreign), { nonce: 0n, balance: 1n, codeHash: KECCAK_EMPTY })).toThrow(RangeError)
    expect(() => half.clearStorage(addr(foreign))).toThrow(RangeError)
  })
})
