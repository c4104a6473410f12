import { describe, expect, it } from 'vitest'
import { blockGasStore } from './blockGasStore.js'
import type { GasStore } from './interfaces/gasModel.js'
import { memoryGasStore } from './testing/gasModel.js'

function countingStore(inner: GasStore): GasStore & { gets: string[]; sets: string[] } {
  const gets: string[] = []
  const sets: string[] = []
  return {
    gets,
    sets,
    async get(k) {
      gets.push(k)
      return inner.get(k)
    },
    async set(k, v) {
      sets.push(k)
      await inner.set(k, v)
    },
  }
}

describe('blockGasStore', () => {
  it('reads each key from the inner store once', async () => {
    const inner = countingStore(memoryGasStore())
    await inner.set('a', 7n)
    const store = blockGasStore(inner)
    for (let i = 0; i < 3; i++) {
      expect(await store.get('a')).toBe(7n)
      expect(await store.get('b')).toBe(0n)
    }
    expect(inner.gets).toEqual(['a', 'b'])
    expect(store.size).toBe(2)
    // peek answers from memory only.
    expect(store.peek('a')).toBe(7n)
    expect(store.peek('c')).toBeUndefined()
    store.checkpoint()
    await store.set('a', 8n)
    expect(store.peek('a')).toBe(8n)
    store.revert()
    expect(store.peek('a')).toBe(7n)
    expect(inner.gets).toEqual(['a', 'b'])
  })

  it('keeps a transaction’s writes only on commit and writes each key once, sorted, on flush', async () => {
    const inner = countingStore(memoryGasStore())
    await inner.set('b', 1n)
    inner.sets.length = 0
    const store = blockGasStore(inner)
    store.checkpoint()
    await store.set('b', 2n)
    expect(await store.get('b')).toBe(2n)
    store.revert()
    expect(await store.get('b')).toBe(1n)
    store.checkpoint()
    await store.set('b', 3n)
    await store.set('a', 4n)
    store.commit()
    store.checkpoint()
    await store.set('b', 5n)
    store.commit()
    // Outside a checkpoint a write is the block's at once.
    await store.set('c', 6n)
    expect(inner.sets).toEqual([])
    await store.flush()
    expect(inner.sets).toEqual(['a', 'b', 'c'])
    expect(await inner.get('b')).toBe(5n)
    await store.flush()
    expect(inner.sets).toEqual(['a', 'b', 'c'])
    await expect(store.set('x', -1n)).rejects.toBeInstanceOf(RangeError)
    await expect(store.set('x', 1n << 256n)).rejects.toBeInstanceOf(RangeError)
    expect(() => store.put!('x', -1n)).toThrow(RangeError)
    // put is set without the promise.
    store.put!('d', 9n)
    expect(store.peek('d')).toBe(9n)
    await store.flush()
    expect(inner.sets).toEqual(['a', 'b', 'c', 'd'])
    store.checkpoint()
    expect(() => store.checkpoint()).toThrow(TypeError)
  })

  it('keeps many writes of one transaction apart until commit, and drops them all on revert', async () => {
    const inner = countingStore(memoryGasStore())
    const store = blockGasStore(inner)
    const keys = Array.from({ length: 40 }, (_, i) => `k${i}`)
    store.checkpoint()
    for (const [i, k] of keys.entries()) store.put!(k, BigInt(i))
    for (const [i, k] of keys.entries()) if (i % 3 === 0) await store.set(k, BigInt(i) + 100n)
    for (const [i, k] of keys.entries()) expect(store.peek(k)).toBe(i % 3 === 0 ? BigInt(i) + 100n : BigInt(i))
    store.revert()
    for (const k of keys) expect(store.peek(k)).toBeUndefined()
    store.checkpoint()
    for (const [i, k] of keys.entries()) store.put!(k, BigInt(i) * 2n)
    expect(await store.get('k39')).toBe(78n)
    store.commit()
    // The next transaction starts empty: a write to one key leaves the others as committed.
    store.checkpoint()
    store.put!('k1', 7n)
    expect(store.peek('k1')).toBe(7n)
    expect(store.peek('k2')).toBe(4n)
    store.revert()
    expect(store.peek('k1')).toBe(2n)
    await store.flush()
    expect(inner.sets).toEqual([...keys].sort())
    expect(await inner.get('k39')).toBe(78n)
  })

  it('flushes through the inner setMany in one call, sorted, when the inner store has it', async () => {
    const inner = countingStore(memoryGasStore())
    const batches: [string, bigint][][] = []
    const store = blockGasStore({
      ...inner,
      async setMany(entries) {
        batches.push(entries.map(([k, v]) => [k, v]))
        for (const [k, v] of entries) await inner.set(k, v)
      },
    })
    store.put!('b', 2n)
    store.put!('a', 1n)
    store.put!('c', 3n)
    await store.flush()
    expect(batches).toEqual([
      [
        ['a', 1n],
        ['b', 2n],
        ['c', 3n],
      ],
    ])
    expect(await inner.get('b')).toBe(2n)
    // Nothing changed since: no call at all.
    await store.flush()
    expect(batches).toHaveLength(1)
  })

  it('writes through at once with writeBack: false', async () => {
    const inner = countingStore(memoryGasStore())
    const store = blockGasStore(inner, { writeBack: false })
    await store.set('k', 3n)
    expect(inner.sets).toEqual(['k'])
    expect(await store.get('k')).toBe(3n)
    expect(inner.gets).toEqual([])
    await store.flush()
    expect(inner.sets).toEqual(['k'])
    expect(() => store.checkpoint()).toThrow(TypeError)
    expect(store.put).toBeUndefined()
  })

  it('getMany reads the keys not in memory in one inner getMany (each once), then peek answers them', async () => {
    const inner = countingStore(memoryGasStore())
    await inner.set('a', 1n)
    await inner.set('b', 2n)
    const batches: string[][] = []
    const store = blockGasStore({
      ...inner,
      async getMany(keys) {
        batches.push([...keys])
        return Promise.all(keys.map((k) => inner.get(k)))
      },
    })
    expect(await store.get('a')).toBe(1n)
    store.checkpoint()
    store.put!('c', 9n)
    expect(await store.getMany(['a', 'b', 'c', 'd', 'b'])).toEqual([1n, 2n, 9n, 0n, 2n])
    // 'a' was in memory and 'c' pending: only 'b' and 'd' are read, once each.
    expect(batches).toEqual([['b', 'd']])
    expect(store.peek('b')).toBe(2n)
    expect(store.peek('d')).toBe(0n)
    store.revert()
    expect(store.peek('c')).toBeUndefined()
    expect(await store.getMany(['a', 'b'])).toEqual([1n, 2n])
    expect(batches).toHaveLength(1)
  })

  it('getMany falls back to get per key on an inner store without getMany', async () => {
    const inner = countingStore(memoryGasStore())
    await inner.set('x', 5n)
    const store = blockGasStore(inner)
    expect(await store.getMany(['x', 'y'])).toEqual([5n, 0n])
    expect(inner.gets).toEqual(['x', 'y'])
    expect(store.peek('x')).toBe(5n)
  })
})
