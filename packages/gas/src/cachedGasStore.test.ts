import { memoryGasStore } from '@appchain/core/testing'
import { describe, expect, it } from 'vitest'
import { cachedGasStore } from './cachedGasStore.js'

describe('cachedGasStore', () => {
  it('reads each key from the inner store once and writes through', async () => {
    const inner = memoryGasStore()
    await inner.set('a', 5n)
    let reads = 0
    const counted = {
      ...inner,
      get: (k: string) => {
        reads += 1
        return inner.get(k)
      },
    }
    const store = cachedGasStore(counted)
    expect(await store.get('a')).toBe(5n)
    expect(await store.get('a')).toBe(5n)
    expect(await store.get('missing')).toBe(0n)
    expect(reads).toBe(2)
    await store.set('a', 9n)
    expect(inner.entries.get('a')).toBe(9n)
    expect(await store.get('a')).toBe(9n)
    expect(reads).toBe(2)
    expect(store.size).toBe(2)
  })

  it('does not cache a value the inner store refused', async () => {
    const store = cachedGasStore(memoryGasStore())
    await expect(store.set('a', -1n)).rejects.toThrow(RangeError)
    expect(await store.get('a')).toBe(0n)
  })
})
