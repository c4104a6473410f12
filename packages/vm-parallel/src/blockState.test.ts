import { bytesToHex, keccak256, memoryDb, PREDEPLOYS } from '@appchain/core'
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
