import { stateGasStore as coreStateGasStore, gasStoreSlot, memoryDb, PREDEPLOYS, type StateDb } from '@appchain/core'
import { createStateDb } from '@appchain/state'
import { describe, expect, it } from 'vitest'
import { stateGasStore } from './gasStore.js'

describe('stateGasStore', () => {
  it("uses core's slots (gasStoreSlot), so admission and execution read the same words", async () => {
    const state = createStateDb({ db: memoryDb() })
    const store = stateGasStore(state)
    const keys = ['sp/0x00000000000000000000000000000000000000a1', 'rl/0xabc', 'lfm/é✓', '', 'x'.repeat(200)]
    for (const [i, key] of keys.entries()) await store.set(key, BigInt(i + 1) << 200n)
    const core = coreStateGasStore(state)
    for (const [i, key] of keys.entries()) {
      expect(await core.get(key)).toBe(BigInt(i + 1) << 200n)
      expect(await state.getStorage(PREDEPLOYS.gasStore, gasStoreSlot(key))).toBe(
        `0x${(BigInt(i + 1) << 200n).toString(16).padStart(64, '0')}`,
      )
      expect(await store.get(key)).toBe(BigInt(i + 1) << 200n)
    }
  })

  it('setMany writes the same words as set, and refuses a value out of range before writing any', async () => {
    const state = createStateDb({ db: memoryDb() })
    const store = stateGasStore(state)
    await store.setMany!([
      ['sp/0xa', 1n],
      ['sp/0xb', (1n << 256n) - 1n],
      ['sp/0xc', 0n],
    ])
    expect((await state.getAccount(PREDEPLOYS.gasStore))?.nonce).toBe(1n)
    expect(await store.get('sp/0xa')).toBe(1n)
    expect(await store.get('sp/0xb')).toBe((1n << 256n) - 1n)
    expect(await store.get('sp/0xc')).toBe(0n)
    expect(await coreStateGasStore(state).get('sp/0xb')).toBe((1n << 256n) - 1n)
    await expect(
      store.setMany!([
        ['sp/0xa', 2n],
        ['sp/0xd', 1n << 256n],
      ]),
    ).rejects.toThrow(RangeError)
    expect(await store.get('sp/0xa')).toBe(1n)
    // A state without the batched write: one putStorage per key, same words.
    const other = createStateDb({ db: memoryDb() })
    const plain = stateGasStore(
      Object.assign(Object.create(other), { putStorageMany: undefined, getStorageMany: undefined }) as StateDb,
    )
    await plain.setMany!([
      ['sp/0xa', 1n],
      ['sp/0xb', (1n << 256n) - 1n],
      ['sp/0xc', 0n],
    ])
    expect(await other.root()).toBe(await state.root())
    // Nothing to write: the account is not created.
    const empty = createStateDb({ db: memoryDb() })
    await stateGasStore(empty).setMany!([])
    expect(await empty.getAccount(PREDEPLOYS.gasStore)).toBeUndefined()
  })

  it("getMany reads the same values as get, with or without the state's getStorageMany", async () => {
    const state = createStateDb({ db: memoryDb() })
    const store = stateGasStore(state)
    await store.set('sp/0xa', 5n)
    await store.set('sp/0xb', (1n << 256n) - 1n)
    const keys = ['sp/0xb', 'sp/0xnone', 'sp/0xa', 'sp/0xa']
    const one = await Promise.all(keys.map((k) => store.get(k)))
    expect(one).toEqual([(1n << 256n) - 1n, 0n, 5n, 5n])
    expect(await store.getMany!(keys)).toEqual(one)
    // A state without the batched read: one getStorage per key.
    const plain = stateGasStore({ getStorage: (a, slot) => state.getStorage(a, slot) } as StateDb)
    expect(await plain.getMany!(keys)).toEqual(one)
    expect(await stateGasStore(createStateDb({ db: memoryDb() })).getMany!(keys)).toEqual([0n, 0n, 0n, 0n])
  })

  it('refuses values outside 0 ≤ v < 2^256 with a RangeError', async () => {
    const store = stateGasStore(createStateDb({ db: memoryDb() }))
    await expect(store.set('k', -1n)).rejects.toThrow(RangeError)
    await expect(store.set('k', 1n << 256n)).rejects.toThrow(RangeError)
  })
})
