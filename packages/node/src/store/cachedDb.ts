import type { Db, DbOp } from '@appchain/core'

const latin1 = (key: Uint8Array) => Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1')

/**
 * A read cache in front of a `Db`: the last `maxEntries` keys read (values and absences) are answered from
 * memory, and writes through `batch`/`put`/`del` update the keys the cache holds, so it never serves a value
 * older than the last write. On LevelDB every `get` is a native round trip through the thread pool; the
 * sequencer reads the same few accounts (senders, coinbase) for every admission and execution.
 *
 * A read of a key that a write in flight touches is not cached (it may have read the value before the write);
 * a write that starts while a key is being read caches its own value; a failed write empties the cache (it may
 * hold values that were never written).
 *
 * @example
 * ```ts
 * const db = cachedDb(await levelDb({ path: './.appchain' }), { maxEntries: 100_000 })
 * await db.batch([{ type: 'put', key, value }])
 * await db.get(key) // from memory
 * ```
 */
export function cachedDb(db: Db, opts: { maxEntries?: number | undefined } = {}): Db {
  const maxEntries = opts.maxEntries ?? 100_000
  if (!Number.isInteger(maxEntries) || maxEntries < 1)
    throw new RangeError(`cachedDb: maxEntries must be a positive integer, got ${maxEntries}`)
  const cache = new Map<string, Uint8Array | undefined>()
  /** Keys of writes in flight (a read of one may see the old or the new value: never cached). */
  const writing = new Map<string, number>()
  /** Keys of reads in flight: a write that starts meanwhile caches its value instead. */
  const reading = new Map<string, number>()
  const inc = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1)
  const dec = (m: Map<string, number>, k: string) => {
    const n = m.get(k)! - 1
    if (n === 0) m.delete(k)
    else m.set(k, n)
  }

  const remember = (k: string, v: Uint8Array | undefined) => {
    cache.set(k, v)
    if (cache.size > maxEntries) cache.delete(cache.keys().next().value as string)
  }
  const write = async (ops: readonly DbOp[], run: () => Promise<void>) => {
    const keys = ops.map((op) => latin1(op.key))
    ops.forEach((op, i) => {
      const k = keys[i]!
      inc(writing, k)
      if (cache.has(k) || reading.has(k)) remember(k, op.type === 'put' ? op.value.slice() : undefined)
    })
    try {
      await run()
    } catch (err) {
      cache.clear()
      throw err
    } finally {
      for (const k of keys) dec(writing, k)
    }
  }
  const read = async (k: string, key: Uint8Array) => {
    if (writing.has(k)) return db.get(key)
    inc(reading, k)
    try {
      const v = await db.get(key)
      // A write that started meanwhile put its (newer) value in the cache already.
      if (!cache.has(k) && !writing.has(k)) remember(k, v)
      return v
    } finally {
      dec(reading, k)
    }
  }

  return {
    async get(key) {
      const k = latin1(key)
      return cache.has(k) ? cache.get(k) : read(k, key)
    },
    async getMany(keys) {
      return Promise.all(
        keys.map((key) => {
          const k = latin1(key)
          return cache.has(k) ? cache.get(k) : read(k, key)
        }),
      )
    },
    put: (key, value) => write([{ type: 'put', key, value }], () => db.put(key, value)),
    del: (key) => write([{ type: 'del', key }], () => db.del(key)),
    batch: (ops) => write(ops, () => db.batch(ops)),
    iterator: (range) => db.iterator(range),
    close: () => {
      cache.clear()
      return db.close()
    },
  }
}
