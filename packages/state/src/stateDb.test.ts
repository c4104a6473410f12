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
  type StateDb,
} from '@appchain/core'
import { createMPT } from '@ethereumjs/mpt'
import { describe, expect, it } from 'vitest'
import { AccountNotFoundError, NoCheckpointError, OpenCheckpointError, ReadOnlyStateError } from './errors.js'
import { openStateDb } from './openStateDb.js'
import { createStateDb } from './stateDb.js'

const addr = (i: number) => `0x${i.toString(16).padStart(40, '0')}` as Address
const word = (i: number | bigint) => `0x${i.toString(16).padStart(64, '0')}` as Hex
const acct = (balance: bigint, nonce = 0n, codeHash: Hex = KECCAK_EMPTY): Account => ({ nonce, balance, codeHash })
const strip = (b: Uint8Array) => {
  let i = 0
  while (i < b.length && b[i] === 0) i++
  return b.subarray(i)
}

type Model = Map<Address, { account: Account; storage: Map<Hex, Hex> }>

/** The state root computed independently with @ethereumjs/mpt from a plain model of the state. */
async function referenceRoot(model: Model): Promise<Hex> {
  const trie = await createMPT({ useKeyHashing: true })
  for (const [a, { account, storage }] of model) {
    const st = await createMPT({ useKeyHashing: true })
    for (const [slot, value] of storage) {
      const v = strip(hexToBytes(value))
      if (v.length > 0) await st.put(hexToBytes(slot), rlpEncode(v))
    }
    const rec = rlpEncode([
      bigintToBytes(account.nonce),
      bigintToBytes(account.balance),
      st.root(),
      hexToBytes(account.codeHash),
    ])
    await trie.put(hexToBytes(a), rec)
  }
  return bytesToHex(trie.root())
}

async function fill(state: StateDb, model: Model, n: number, seed: number) {
  for (let i = 0; i < n; i++) {
    const a = addr(seed * 1000 + i)
    const account = acct(BigInt(i * 1_000_000 + seed), BigInt(i % 7))
    await state.putAccount(a, account)
    const storage = new Map<Hex, Hex>()
    if (i % 3 === 0) {
      for (let s = 0; s < 5; s++) {
        const value = word(BigInt(s + 1) * 0x1234567890n + BigInt(i))
        await state.putStorage(a, word(s), value)
        storage.set(word(s), value)
      }
    }
    model.set(a, { account, storage })
  }
}

describe('createStateDb', () => {
  it('reads back writes, and its root equals @ethereumjs/mpt over the same state', async () => {
    const state = createStateDb({ db: memoryDb() })
    expect(await state.root()).toBe('0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421')
    const model: Model = new Map()
    await fill(state, model, 50, 1)
    expect(await state.getAccount(addr(1003))).toEqual(acct(3_000_001n, 3n))
    expect(await state.getStorage(addr(1003), word(2))).toBe(word(3n * 0x1234567890n + 3n))
    expect(await state.getStorage(addr(1004), word(2))).toBe(word(0))
    expect(await state.root()).toBe(await referenceRoot(model))

    // Zero deletes a slot; code sets the code hash.
    await state.putStorage(addr(1003), word(2), word(0))
    model.get(addr(1003))!.storage.delete(word(2))
    const code = Uint8Array.from([0x60, 0x00, 0x60, 0x00, 0xf3])
    await state.putCode(addr(1005), code)
    model.get(addr(1005))!.account = { ...model.get(addr(1005))!.account, codeHash: bytesToHex(keccak256(code)) }
    expect(await state.getCode(addr(1005))).toEqual(code)
    expect(await state.root()).toBe(await referenceRoot(model))
  })

  it('flush: reads stay correct before and after the ops are written, and a reopened state agrees', async () => {
    const db = memoryDb()
    const state = createStateDb({ db })
    const model: Model = new Map()
    await fill(state, model, 30, 2)
    const { root, ops } = await state.flush()
    expect(root).toBe(await referenceRoot(model))
    // Not written yet: still reads from memory.
    expect(await state.getAccount(addr(2003))).toEqual(model.get(addr(2003))!.account)
    expect(await state.getStorage(addr(2003), word(1))).toBe(model.get(addr(2003))!.storage.get(word(1)))
    await db.batch(ops)
    const reopened = await openStateDb({ db, root })
    expect(await reopened.root()).toBe(root)
    expect(await reopened.getStorage(addr(2003), word(1))).toBe(model.get(addr(2003))!.storage.get(word(1)))

    // A second block on the reopened state: clear one account's storage, delete another.
    await reopened.clearStorage(addr(2003))
    model.get(addr(2003))!.storage.clear()
    await reopened.putStorage(addr(2003), word(9), word(99))
    model.get(addr(2003))!.storage.set(word(9), word(99))
    await reopened.putAccount(addr(2006), undefined)
    model.delete(addr(2006))
    const second = await reopened.flush()
    expect(second.root).toBe(await referenceRoot(model))
    expect(await reopened.getStorage(addr(2003), word(1))).toBe(word(0))
    await db.batch(second.ops)
    const again = await openStateDb({ db })
    expect(await again.getStorage(addr(2003), word(1))).toBe(word(0))
    expect(await again.getStorage(addr(2003), word(9))).toBe(word(99))
    expect(await again.getAccount(addr(2006))).toBeUndefined()
    expect(await again.getStorage(addr(2006), word(0))).toBe(word(0))

    // The first root is still readable through the tries.
    const past = await again.at(root)
    expect(past).toBeDefined()
    // Slot 1 of account 3 held 2 * 0x1234567890 + 3 before the clear.
    expect(await past!.getStorage(addr(2003), word(1))).toBe(word(2n * 0x1234567890n + 3n))
    expect(await past!.getAccount(addr(2006))).toBeDefined()
    await expect(past!.flush()).rejects.toBeInstanceOf(ReadOnlyStateError)
    expect(await again.at(word(12345))).toBeUndefined()
  })

  it('checkpoint / commit / revert, nested, across root()', async () => {
    const state = createStateDb({ db: memoryDb() })
    await state.putAccount(addr(1), acct(100n))
    await state.putStorage(addr(1), word(1), word(11))
    const r0 = await state.root()
    state.checkpoint()
    await state.putAccount(addr(1), acct(50n))
    await state.putStorage(addr(1), word(1), word(12))
    state.checkpoint()
    await state.clearStorage(addr(1))
    await state.putAccount(addr(2), acct(7n))
    expect(await state.getStorage(addr(1), word(1))).toBe(word(0))
    await state.root()
    state.revert()
    expect(await state.getStorage(addr(1), word(1))).toBe(word(12))
    expect(await state.getAccount(addr(2))).toBeUndefined()
    state.checkpoint()
    await state.putStorage(addr(1), word(2), word(22))
    state.commit()
    expect(await state.getStorage(addr(1), word(2))).toBe(word(22))
    await state.root()
    state.revert()
    expect(await state.getAccount(addr(1))).toEqual(acct(100n))
    expect(await state.getStorage(addr(1), word(1))).toBe(word(11))
    expect(await state.getStorage(addr(1), word(2))).toBe(word(0))
    expect(await state.root()).toBe(r0)
    expect(() => state.commit()).toThrow(NoCheckpointError)
    expect(() => state.revert()).toThrow(NoCheckpointError)
    state.checkpoint()
    await expect(state.flush()).rejects.toBeInstanceOf(OpenCheckpointError)
  })

  it('refuses bad arguments with TypeError/RangeError', async () => {
    const state = createStateDb({ db: memoryDb() })
    await expect(state.getAccount('0x12' as Address)).rejects.toBeInstanceOf(TypeError)
    await expect(state.putAccount(addr(1), acct(-1n))).rejects.toBeInstanceOf(RangeError)
    await state.putAccount(addr(1), acct(1n))
    await expect(state.putStorage(addr(1), word(1), `0x${'1'.repeat(66)}` as Hex)).rejects.toBeInstanceOf(TypeError)
    await expect(state.putStorage(addr(2), word(1), word(1))).rejects.toBeInstanceOf(AccountNotFoundError)
  })
})

describe('getAccounts', () => {
  it('answers as getAccount does for each address: in memory, flushed but unwritten, in the Db, deleted, missing, past roots', async () => {
    const db = memoryDb()
    const state = createStateDb({ db })
    for (const i of [1, 2, 3, 4, 5, 6, 10]) await state.putAccount(addr(i), acct(BigInt(i) * 10n, BigInt(i)))
    const first = await state.flush()
    await db.batch(first.ops) // 1..6 now in the Db
    await state.putAccount(addr(2), acct(222n, 9n))
    await state.putAccount(addr(3), undefined)
    await state.putAccount(addr(7), acct(70n))
    const second = await state.flush() // pending: 2, 3 (deleted), 7; not yet written to the Db
    await state.putAccount(addr(4), acct(444n)) // in memory
    await state.putAccount(addr(5), undefined) // deleted in memory
    const list = [
      addr(1),
      addr(2),
      addr(3),
      addr(4),
      addr(5),
      addr(7),
      addr(99),
      `0x${addr(10).slice(2).toUpperCase()}` as Address,
    ]
    const one = await Promise.all(list.map((a) => state.getAccount(a)))
    const many = await state.getAccounts!(list)
    expect(many).toEqual(one)
    expect(many.map((a) => a?.balance)).toEqual([10n, 222n, undefined, 444n, undefined, 70n, undefined, 100n])
    // Once the second flush is written the answers stay the same; a past root reads through its trie.
    await db.batch(second.ops)
    expect(await state.getAccounts!(list)).toEqual(one)
    const past = (await state.at(first.root))!
    expect(await past.getAccounts!(list)).toEqual(await Promise.all(list.map((a) => past.getAccount(a))))
    expect((await past.getAccounts!([addr(3), addr(7)])).map((a) => a?.balance)).toEqual([30n, undefined])
    await expect(state.getAccounts!(['0x12' as Address])).rejects.toBeInstanceOf(TypeError)
  })
})

describe('getStorageMany', () => {
  it('answers as getStorage does for each slot: in memory, flushed but unwritten, in the Db, cleared, missing, past roots', async () => {
    const db = memoryDb()
    const state = createStateDb({ db })
    await state.putAccount(addr(1), acct(1n))
    await state.putAccount(addr(2), acct(2n))
    for (const i of [1, 2, 3, 4, 5]) await state.putStorage(addr(1), word(i), word(i * 10))
    await state.putStorage(addr(2), word(1), word(7))
    const first = await state.flush()
    await db.batch(first.ops) // slots 1..5 of 1, slot 1 of 2 now in the Db
    await state.putStorage(addr(1), word(2), word(222))
    await state.putStorage(addr(1), word(6), word(60))
    const second = await state.flush() // pending: 2 and 6, not yet written to the Db
    await state.putStorage(addr(1), word(3), word(333)) // in memory
    await state.putStorage(addr(1), word(4), word(0)) // deleted in memory
    const slots = [
      word(1),
      word(2),
      word(3),
      word(4),
      word(5),
      word(6),
      word(99),
      `0x${'0'.repeat(63)}1` as Hex,
      '0x5' as Hex,
    ]
    const one = await Promise.all(slots.map((s) => state.getStorage(addr(1), s)))
    const many = await state.getStorageMany!(addr(1), slots)
    expect(many).toEqual(one)
    expect(many.map((v) => BigInt(v))).toEqual([10n, 222n, 333n, 0n, 50n, 60n, 0n, 10n, 50n])
    await db.batch(second.ops)
    expect(await state.getStorageMany!(addr(1), slots)).toEqual(one)
    // A cleared account reads zero everywhere; a past root reads through its tries.
    await state.clearStorage(addr(2))
    expect(await state.getStorageMany!(addr(2), [word(1), word(2)])).toEqual([word(0), word(0)])
    const past = (await state.at(first.root))!
    expect(await past.getStorageMany!(addr(1), slots)).toEqual(
      await Promise.all(slots.map((s) => past.getStorage(addr(1), s))),
    )
    expect((await past.getStorageMany!(addr(1), [word(2), word(6)])).map((v) => BigInt(v))).toEqual([20n, 0n])
    expect(await state.getStorageMany!(addr(3), [word(1)])).toEqual([word(0)])
    await expect(state.getStorageMany!(addr(1), ['0x12g' as Hex])).rejects.toBeInstanceOf(TypeError)
  })
})

describe('putStorageMany', () => {
  it('has the effect of putStorage for each entry (root, reads, journal), and checks every word before writing', async () => {
    const entries: [Hex, Hex][] = [
      [word(1), word(10)],
      [word(2), '0x2' as Hex],
      [`0x${'A'.repeat(64)}` as Hex, word(30)],
      [word(1), word(11)],
      [word(4), word(0)],
    ]
    const one = createStateDb({ db: memoryDb() })
    const many = createStateDb({ db: memoryDb() })
    for (const s of [one, many]) {
      await s.putAccount(addr(1), acct(1n))
      await s.putStorage(addr(1), word(4), word(4))
      await s.root()
    }
    for (const [slot, value] of entries) await one.putStorage(addr(1), slot, value)
    await many.putStorageMany!(addr(1), entries)
    expect(await many.root()).toBe(await one.root())
    const slots = [word(1), word(2), `0x${'a'.repeat(64)}` as Hex, word(4)]
    expect(await many.getStorageMany!(addr(1), slots)).toEqual(await one.getStorageMany!(addr(1), slots))
    // Inside a checkpoint, revert undoes every write.
    const before = await many.root()
    many.checkpoint()
    await many.putStorageMany!(addr(1), [[word(1), word(99)]])
    many.revert()
    expect(await many.root()).toBe(before)
    // A bad word anywhere: nothing written. A missing account: AccountNotFoundError.
    await expect(
      many.putStorageMany!(addr(1), [
        [word(1), word(5)],
        [word(2), `0x${'1'.repeat(66)}` as Hex],
      ]),
    ).rejects.toBeInstanceOf(TypeError)
    expect(await many.getStorage(addr(1), word(1))).toBe(word(11))
    await expect(many.putStorageMany!(addr(2), [[word(1), word(1)]])).rejects.toBeInstanceOf(AccountNotFoundError)
    await many.putStorageMany!(addr(2), [])
  })
})

describe('putAccounts', () => {
  it('has the effect of putAccount for each entry (root, reads, deletes with storage, journal), and checks every entry before writing', async () => {
    const addresses = [addr(1), addr(2), `0x${'AB'.repeat(20)}` as Address, addr(1), addr(3)]
    const accounts = [acct(10n, 1n), acct(20n), acct(30n, 0n, `0x${'CD'.repeat(32)}` as Hex), acct(11n, 2n), undefined]
    const one = createStateDb({ db: memoryDb() })
    const many = createStateDb({ db: memoryDb() })
    for (const s of [one, many]) {
      await s.putAccount(addr(3), acct(3n))
      await s.putStorage(addr(3), word(1), word(1))
      await s.root()
    }
    for (let i = 0; i < addresses.length; i++) await one.putAccount(addresses[i]!, accounts[i])
    await many.putAccounts!(addresses, accounts)
    expect(await many.root()).toBe(await one.root())
    const read = [addr(1), addr(2), `0x${'ab'.repeat(20)}` as Address, addr(3)]
    expect(await many.getAccounts!(read)).toEqual(await one.getAccounts!(read))
    expect(await many.getStorage(addr(3), word(1))).toBe(word(0))
    // Inside a checkpoint, revert undoes every write.
    const before = await many.root()
    many.checkpoint()
    await many.putAccounts!([addr(1), addr(4)], [acct(99n), acct(4n)])
    many.revert()
    expect(await many.root()).toBe(before)
    // A bad entry anywhere: nothing written.
    await expect(many.putAccounts!([addr(5), '0x12' as Address], [acct(5n), acct(5n)])).rejects.toBeInstanceOf(
      TypeError,
    )
    await expect(many.putAccounts!([addr(5), addr(6)], [acct(5n), acct(-1n)])).rejects.toBeInstanceOf(RangeError)
    await expect(many.putAccounts!([addr(5)], [])).rejects.toBeInstanceOf(RangeError)
    expect(await many.getAccount(addr(5))).toBeUndefined()
    expect(await many.root()).toBe(before)
  })
})
