import type { GasStore } from '@appchain/core'
import { memoryGasStore } from '@appchain/core/testing'
import { describe, expect, it } from 'vitest'
import { cachedGasStore } from './cachedGasStore.js'

function counted() {
  const inner = memoryGasStore()
  const counts = { reads: 0, writes: [] as string[] }
  const store: GasStore = {
    get: (k) => {
      counts.reads += 1
      return inner.get(k)
    },
    set: (k, v) => {
      counts.writes.push(k)
      return inner.set(k, v)
    },
  }
  return { inner, store, counts }
}

describe('cachedGasStore', () => {
  it('reads each key from the inner store once and writes through', async () => {
    const { inner, store: base, counts } = counted()
    await inner.set('a', 5n)
    const store = cachedGasStore(base)
    expect(await store.get('a')).toBe(5n)
    expect(await store.get('a')).toBe(5n)
    expect(await store.get('missing')).toBe(0n)
    expect(counts.reads).toBe(2)
    await store.set('a', 9n)
    expect(inner.entries.get('a')).toBe(9n)
    expect(await store.get('a')).toBe(9n)
    expect(counts.reads).toBe(2)
    expect(store.size).toBe(2)
  })

  it('does not cache a value the inner store refused', async () => {
    const store = cachedGasStore(memoryGasStore())
    await expect(store.set('a', -1n)).rejects.toThrow(RangeError)
    expect(await store.get('a')).toBe(0n)
  })

  it('in write-back mode writes each key once, in key order, at flush', async () => {
    const { inner, store: base, counts } = counted()
    const store = cachedGasStore(base, { writeBack: true })
    for (let i = 0n; i < 5n; i++) {
      await store.set('b', i)
      await store.set('a', i * 10n)
    }
    expect(counts.writes).toEqual([])
    expect(await store.get('b')).toBe(4n)
    expect(inner.entries.size).toBe(0)
    await store.flush()
    expect(counts.writes).toEqual(['a', 'b'])
    expect(inner.entries.get('a')).toBe(40n)
    await store.flush()
    expect(counts.writes).toEqual(['a', 'b'])
    await expect(store.set('c', 1n << 256n)).rejects.toThrow(RangeError)
  })
})
