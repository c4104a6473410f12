import { Level } from 'level'
import { DbClosedError, DbError } from '../errors/db.js'
import type { Db, DbRange } from '../interfaces/db.js'

export interface LevelDbConfig {
  /** Directory of the LevelDB database (created if missing). */
  path: string
  /**
   * fsync every batch. Off by default: a batch is in the OS once `batch` resolves, so it survives a
   * process crash (SIGKILL); turn it on to survive power loss too, at a large cost in write latency.
   */
  sync?: boolean | undefined
}

const asBytes = (b: Uint8Array): Uint8Array =>
  // classic-level hands back Buffers; expose plain Uint8Array views over the same memory.
  Object.getPrototypeOf(b) === Uint8Array.prototype ? b : new Uint8Array(b.buffer, b.byteOffset, b.byteLength)

/**
 * A `Db` on LevelDB through `level` (classic-level): atomic batches, byte-ordered iteration.
 *
 * @example
 * ```ts
 * const db = await levelDb({ path: './data/chain' })
 * await db.put(new Uint8Array([1]), new Uint8Array([2]))
 * await db.close()
 * ```
 */
export async function levelDb(config: LevelDbConfig): Promise<Db> {
  const level = new Level<Uint8Array, Uint8Array>(config.path, { keyEncoding: 'view', valueEncoding: 'view' })
  try {
    await level.open()
  } catch (cause) {
    throw new DbError(`open of ${config.path}`, { cause })
  }
  const writeOptions = { sync: config.sync ?? false }
  let closed = false
  const open = () => {
    if (closed) throw new DbClosedError()
  }
  return {
    async get(key) {
      open()
      const v = await level.get(key)
      return v === undefined ? undefined : asBytes(v)
    },
    async getMany(keys) {
      open()
      const values = await level.getMany(keys)
      return values.map((v) => (v === undefined ? undefined : asBytes(v)))
    },
    async put(key, value) {
      open()
      await level.put(key, value, writeOptions)
    },
    async del(key) {
      open()
      await level.del(key, writeOptions)
    },
    async batch(ops) {
      open()
      if (ops.length === 0) return
      await level.batch(ops, writeOptions)
    },
    async *iterator(range: DbRange = {}) {
      open()
      const options: Record<string, unknown> = {}
      for (const k of ['gt', 'gte', 'lt', 'lte', 'reverse', 'limit'] as const) {
        if (range[k] !== undefined) options[k] = range[k]
      }
      const it = level.iterator(options)
      try {
        for await (const [k, v] of it) yield [asBytes(k), asBytes(v)]
      } finally {
        await it.close()
      }
    },
    async close() {
      if (closed) return
      closed = true
      await level.close()
    },
  }
}
