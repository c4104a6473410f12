import { concatBytes } from '@appchain/core'
import type { Db, DbOp, DbRange } from '@appchain/core'

/** The first key after every key that starts with `prefix` (for an exclusive upper bound). */
export function prefixEnd(prefix: Uint8Array): Uint8Array {
  const end = prefix.slice()
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]!++
      return end.subarray(0, i + 1)
    }
  }
  throw new RangeError('prefix of only 0xff bytes has no end')
}

/** Puts `prefix` in front of every op's key (state ops written in the chain's batch). */
export function prefixOps(prefix: Uint8Array, ops: readonly DbOp[]): DbOp[] {
  return ops.map((op) =>
    op.type === 'put'
      ? { type: 'put', key: concatBytes(prefix, op.key), value: op.value }
      : { type: 'del', key: concatBytes(prefix, op.key) },
  )
}

/**
 * A view of a `Db` under a key prefix, so the state store and the chain store share one LevelDB
 * (and one atomic batch) without any chance of key collisions.
 *
 * @example
 * ```ts
 * const stateDb = prefixDb(db, new Uint8Array([0x73]))
 * ```
 */
export function prefixDb(db: Db, prefix: Uint8Array): Db {
  const k = (key: Uint8Array) => concatBytes(prefix, key)
  const n = prefix.length
  const bound = (key: Uint8Array | undefined) => (key === undefined ? undefined : k(key))
  return {
    get: (key) => db.get(k(key)),
    getMany: (keys) => db.getMany(keys.map(k)),
    put: (key, value) => db.put(k(key), value),
    del: (key) => db.del(k(key)),
    batch: (ops) => db.batch(prefixOps(prefix, ops)),
    async *iterator(range: DbRange = {}) {
      const inner: DbRange = {
        gt: bound(range.gt),
        gte: bound(range.gte) ?? (range.gt === undefined ? prefix : undefined),
        lt: bound(range.lt),
        lte: bound(range.lte) ?? (range.lt === undefined ? prefixEnd(prefix) : undefined),
        reverse: range.reverse,
        limit: range.limit,
      }
      // `lte: prefixEnd` would include the end key itself; use `lt` instead when we picked the bound.
      if (range.lt === undefined && range.lte === undefined) {
        inner.lte = undefined
        inner.lt = prefixEnd(prefix)
      }
      for await (const [key, value] of db.iterator(inner)) yield [key.subarray(n), value]
    },
    // The underlying Db is owned by the node; closing a view does nothing.
    close: async () => {},
  }
}
