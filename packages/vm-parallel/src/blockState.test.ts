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
})
