import { bytesToHex, compareBytes } from '../bytes.js'
import { DbClosedError } from '../errors/db.js'
import type { Db, DbOp, DbRange } from '../interfaces/db.js'

const NodeBuffer = (globalThis as { Buffer?: typeof Buffer }).Buffer
/** The map key of a Db key: Latin-1 (one char per byte, encoded natively) where Buffer exists, else hex. */
const idOf: (key: Uint8Array) => string =
  NodeBuffer === undefined
    ? bytesToHex
    : (key) => NodeBuffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1')

/**
 * An in-memory `Db` with the same semantics as `levelDb` (atomic batches, byte-ordered iteration).
 * For tests, `--in-memory` devnets and ephemeral state.
 *
 * @example
 * ```ts
 * const db = memoryDb()
 * await db.batch([{ type: 'put', key: new Uint8Array([1]), value: new Uint8Array([2]) }])
 * await db.get(new Uint8Array([1])) // Uint8Array [2]
 * ```
 */
export function memoryDb(): Db {
  const entries = new Map<string, [Uint8Array, Uint8Array]>()
  let sorted: [Uint8Array, Uint8Array][] | undefined
  let closed = false
  const open = () => {
    if (closed) throw new DbClosedError()
  }
  const apply = (op: DbOp) => {
    const id = idOf(op.key)
    if (op.type === 'put') entries.set(id, [op.key.slice(), op.value.slice()])
    else entries.delete(id)
    sorted = undefined
  }
  return {
    async get(key) {
      open()
      return entries.get(idOf(key))?.[1]
    },
    async getMany(keys) {
      open()
      return keys.map((k) => entries.get(idOf(k))?.[1])
    },
    async put(key, value) {
      open()
      apply({ type: 'put', key, value })
    },
    async del(key) {
      open()
      apply({ type: 'del', key })
    },
    async batch(ops) {
      open()
      for (const op of ops) apply(op)
    },
    async *iterator(range: DbRange = {}) {
      open()
      sorted ??= [...entries.values()].sort((a, b) => compareBytes(a[0], b[0]))
      // Iterate a snapshot, as LevelDB iterators do.
      const snapshot = sorted
      const inRange = ([k]: [Uint8Array, Uint8Array]) =>
        (!range.gt || compareBytes(k, range.gt) > 0) &&
        (!range.gte || compareBytes(k, range.gte) >= 0) &&
        (!range.lt || compareBytes(k, range.lt) < 0) &&
        (!range.lte || compareBytes(k, range.lte) <= 0)
      const limit = range.limit === undefined || range.limit < 0 ? Number.POSITIVE_INFINITY : range.limit
      let n = 0
      const len = snapshot.length
      for (let i = 0; i < len && n < limit; i++) {
        const entry = snapshot[range.reverse ? len - 1 - i : i]!
        if (!inRange(entry)) continue
        n++
        yield [entry[0], entry[1]]
      }
    },
    async close() {
      closed = true
    },
  }
}
