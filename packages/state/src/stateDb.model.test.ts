import {
  type Account,
  type Address,
  bigintToBytes,
  bytesToHex,
  type Hex,
  hexToBytes,
  KECCAK_EMPTY,
  keccak256,
  memoryDb,
  rlpEncode,
} from '@appchain/core'
import { createMPT } from '@ethereumjs/mpt'
import { describe, expect, it } from 'vitest'
import { AccountNotFoundError } from './errors.js'
import { openStateDb } from './openStateDb.js'
import { createStateDb, type MptStateDb } from './stateDb.js'

type Model = Map<Address, { account: Account; storage: Map<Hex, Hex> }>
const ZERO = `0x${'0'.repeat(64)}` as Hex
const addr = (i: number) => `0x${(0xabc000 + i).toString(16).padStart(40, '0')}` as Address
const word = (i: number | bigint) => `0x${i.toString(16).padStart(64, '0')}` as Hex
const clone = (m: Model): Model =>
  new Map([...m].map(([a, { account, storage }]) => [a, { account: { ...account }, storage: new Map(storage) }]))

async function referenceRoot(model: Model): Promise<Hex> {
  const trie = await createMPT({ useKeyHashing: true })
  for (const [a, { account, storage }] of model) {
    const st = await createMPT({ useKeyHashing: true })
    for (const [slot, value] of storage) {
      const v = hexToBytes(value)
      let i = 0
      while (i < v.length && v[i] === 0) i++
      if (i < v.length) await st.put(hexToBytes(slot), rlpEncode(v.subarray(i)))
    }
    await trie.put(
      hexToBytes(a),
      rlpEncode([
        bigintToBytes(account.nonce),
        bigintToBytes(account.balance),
        st.root(),
        hexToBytes(account.codeHash),
      ]),
    )
  }
  return bytesToHex(trie.root())
}

describe('StateDb against a plain model (random operations)', () => {
  for (const seed of [1, 2, 3, 4]) {
    // Seed 4 runs with leaves evicted to the Db after each flush.
    const evictLeaves = seed === 4
    it(`seed ${seed}${evictLeaves ? ' (evictLeaves)' : ''}: reads, roots, checkpoints, flushes and reopens agree with the model`, async () => {
      let s = seed * 7919
      const rand = (n: number) => {
        s = (s * 1103515245 + 12345) & 0x7fffffff
        return s % n
      }
      const db = memoryDb()
      let state: MptStateDb = createStateDb({ db, evictLeaves })
      let model: Model = new Map()
      const stack: Model[] = []
      const flushed: { root: Hex; model: Model }[] = []
      for (let step = 0; step < 600; step++) {
        const a = addr(rand(12))
        const op = rand(100)
        if (op < 25) {
          const account = {
            nonce: BigInt(rand(5)),
            balance: BigInt(rand(1000)),
            codeHash: model.get(a)?.account.codeHash ?? KECCAK_EMPTY,
          }
          await state.putAccount(a, account)
          model.set(a, { account, storage: model.get(a)?.storage ?? new Map() })
        } else if (op < 50) {
          const slot = word(rand(6))
          const value = rand(3) === 0 ? ZERO : word(rand(1 << 30))
          if (model.has(a)) {
            await state.putStorage(a, slot, value)
            if (value === ZERO) model.get(a)!.storage.delete(slot)
            else model.get(a)!.storage.set(slot, value)
          } else {
            await expect(state.putStorage(a, slot, value)).rejects.toBeInstanceOf(AccountNotFoundError)
          }
        } else if (op < 55) {
          await state.putAccount(a, undefined)
          model.delete(a)
        } else if (op < 60) {
          await state.clearStorage(a)
          model.get(a)?.storage.clear()
        } else if (op < 63) {
          const code = Uint8Array.of(0x60, rand(256), 0x00)
          await state.putCode(a, code)
          const prev = model.get(a)
          model.set(a, {
            account: { ...(prev?.account ?? { nonce: 0n, balance: 0n }), codeHash: bytesToHex(keccak256(code)) },
            storage: prev?.storage ?? new Map(),
          })
        } else if (op < 72) {
          state.checkpoint()
          stack.push(clone(model))
        } else if (op < 78) {
          if (stack.length > 0) {
            state.commit()
            stack.pop()
          }
        } else if (op < 86) {
          if (stack.length > 0) {
            state.revert()
            model = stack.pop()!
          }
        } else if (op < 93) {
          expect(await state.root()).toBe(await referenceRoot(model))
        } else {
          // End of block: every open checkpoint is committed first.
          while (stack.length > 0) {
            state.commit()
            stack.pop()
          }
          const { root, ops } = await state.flush()
          expect(root).toBe(await referenceRoot(model))
          flushed.push({ root, model: clone(model) })
          // Sometimes read before the ops are written; always write before the next flush.
          if (rand(2) === 0) {
            const probe = addr(rand(12))
            expect(await state.getAccount(probe)).toEqual(model.get(probe)?.account)
          }
          await db.batch(ops)
          if (rand(3) === 0) state = await openStateDb({ db, root, evictLeaves })
        }
        // Flat reads always match the model.
        const probe = addr(rand(12))
        expect(await state.getAccount(probe)).toEqual(model.get(probe)?.account)
        const slot = word(rand(6))
        expect(await state.getStorage(probe, slot)).toBe(model.get(probe)?.storage.get(slot) ?? ZERO)
      }
      expect(flushed.length).toBeGreaterThan(3)
      // Every flushed root stays readable through its tries.
      for (const { root, model: m } of flushed.slice(-5)) {
        const past = (await state.at(root))!
        for (let i = 0; i < 12; i++) {
          expect(await past.getAccount(addr(i))).toEqual(m.get(addr(i))?.account)
          for (let k = 0; k < 6; k++)
            expect(await past.getStorage(addr(i), word(k))).toBe(m.get(addr(i))?.storage.get(word(k)) ?? ZERO)
        }
      }
    })
  }
})
