import { type Address, bytesToHex, KECCAK_EMPTY, keccak256, memoryDb, PREDEPLOYS, type StateDb } from '@appchain/core'
import { createStateDb } from '@appchain/state'
import { describe, expect, it } from 'vitest'
import { BlockState } from './blockState.js'

describe('BlockState gas store', () => {
  it('answers peek from the block cache, writes put like set and flushes both to the gas store slots', async () => {
    const state = createStateDb({ db: memoryDb() })
    const bs = new BlockState(state)
    const store = bs.gasStore()
    expect(store.peek?.('a')).toBeUndefined()
    expect(await store.get('a')).toBe(0n)
    expect(store.peek?.('a')).toBe(0n)
    store.put?.('a', 7n)
    await store.set('b', 9n)
    expect(store.peek?.('a')).toBe(7n)
    expect(await store.get('b')).toBe(9n)
    expect(() => store.put?.('c', -1n)).toThrow(RangeError)
    await expect(store.set('c', 1n << 256n)).rejects.toThrow(RangeError)
    await bs.flush()
    const slot = (k: string) => bytesToHex(keccak256(new TextEncoder().encode(k)))
    expect(BigInt(await state.getStorage(PREDEPLOYS.gasStore, slot('a')))).toBe(7n)
    expect(BigInt(await state.getStorage(PREDEPLOYS.gasStore, slot('b')))).toBe(9n)
  })
})

describe('BlockState accounts', () => {
  it('loads, changes and flushes the same state whether or not the StateDb has the batched getAccounts/putAccounts', async () => {
    const addr = (i: number) => `0x${i.toString(16).padStart(40, '0')}` as Address
    const run = async (batched: boolean) => {
      const full = createStateDb({ db: memoryDb() })
      for (let i = 1; i <= 20; i++)
        await full.putAccount(addr(i), { nonce: 0n, balance: BigInt(i), codeHash: KECCAK_EMPTY })
      await full.root()
      // The same state seen through only the required StateDb members.
      const state: StateDb = batched
        ? full
        : new Proxy(full, {
            get: (t, k) => (k === 'putAccounts' || k === 'getAccounts' ? undefined : Reflect.get(t, k, t)),
          })
      const bs = new BlockState(state)
      await bs.loadAccounts([addr(2), addr(30), addr(2), addr(5)])
      bs.setBalance(addr(30), 7n)
      bs.setNonce(addr(2), 1n)
      bs.setBalance(addr(2), 1n)
      await bs.flush()
      return [await full.root(), await full.getAccounts!([addr(2), addr(30), addr(5)])] as const
    }
    const [root, accounts] = await run(true)
    expect(await run(false)).toEqual([root, accounts])
    expect(accounts).toEqual([
      { nonce: 1n, balance: 1n, codeHash: KECCAK_EMPTY },
      { nonce: 0n, balance: 7n, codeHash: KECCAK_EMPTY },
      { nonce: 0n, balance: 5n, codeHash: KECCAK_EMPTY },
    ])
  })

  it('changes through a slot are the changes by address: same slot for an address, same flushed state and root', async () => {
    const addr = (i: number) => `0x${i.toString(16).padStart(40, '0')}` as Address
    const run = async (bySlot: boolean) => {
      const state = createStateDb({ db: memoryDb() })
      await state.putAccount(addr(1), { nonce: 3n, balance: 10n, codeHash: KECCAK_EMPTY })
      const bs = new BlockState(state)
      expect(bs.slotOf(addr(1))).toBeUndefined()
      const one = await bs.loadSlot(addr(1))
      expect(bs.slotOf(addr(1))).toBe(one)
      expect(await bs.loadSlot(addr(1))).toBe(one)
      expect(one).toMatchObject({ address: addr(1), account: { nonce: 3n, balance: 10n }, dirty: false })
      const fresh = await bs.loadSlot(addr(9))
      expect(fresh.account).toEqual({ nonce: 0n, balance: 0n, codeHash: KECCAK_EMPTY })
      if (bySlot) {
        bs.setSlotBalance(fresh, 4n)
        bs.setSlotNonce(one, 4n)
        bs.setSlotBalance(one, 6n)
      } else {
        bs.setBalance(addr(9), 4n)
        bs.setNonce(addr(1), 4n)
        bs.setBalance(addr(1), 6n)
      }
      expect(one.dirty).toBe(true)
      await bs.flush()
      expect(one.dirty).toBe(false)
      return [await state.root(), await state.getAccount(addr(1)), await state.getAccount(addr(9))] as const
    }
    const bySlot = await run(true)
    expect(bySlot).toEqual(await run(false))
    expect(bySlot[1]).toEqual({ nonce: 4n, balance: 6n, codeHash: KECCAK_EMPTY })
    expect(bySlot[2]).toEqual({ nonce: 0n, balance: 4n, codeHash: KECCAK_EMPTY })
  })
})
