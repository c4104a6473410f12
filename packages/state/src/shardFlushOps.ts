import type { Db, DbOp, Hex } from '@appchain/core'
import { codeKey, META_ROOT_KEY, prefixEnd } from './keys.js'
import { latin1 } from './latin1.js'
import { nodeKey } from './nodeStore.js'
import { unpackOps } from './packedOps.js'

/**
 * The `DbOp`s of a sharded flush, in `createStateDb`'s key layout: the shards' packed commits unpacked, every
 * slot the Db holds under a cleared storage prefix deleted (except those this flush writes), the code written
 * since the last flush, the root node (when the state is not empty) and the root record (`Smr`).
 *
 * @example
 * ```ts
 * const ops = await shardFlushOps({ db, packed: [shard.commit()], root, rootEncoding, codes })
 * await db.batch(ops)
 * ```
 */
export async function shardFlushOps(args: {
  db: Db
  packed: readonly ArrayBuffer[]
  root: Uint8Array
  rootEncoding: Uint8Array | undefined
  codes?: ReadonlyMap<Hex, Uint8Array> | undefined
}): Promise<DbOp[]> {
  const ops: DbOp[] = []
  const clearPrefixes: Uint8Array[] = []
  for (const buffer of args.packed) for (const p of unpackOps(buffer, ops).clearPrefixes) clearPrefixes.push(p)
  if (clearPrefixes.length > 0) {
    // Cleared storage: delete what the Db holds under the account's prefix, but not the slots this flush writes.
    const written = new Set<string>()
    for (const op of ops) if (op.key[1] === 0x73) written.add(latin1(op.key))
    for (const prefix of clearPrefixes)
      for await (const [key] of args.db.iterator({ gte: prefix, lt: prefixEnd(prefix) }))
        if (!written.has(latin1(key))) ops.push({ type: 'del', key })
  }
  for (const [h, code] of args.codes ?? []) ops.push({ type: 'put', key: codeKey(h), value: code })
  if (args.rootEncoding !== undefined) ops.push({ type: 'put', key: nodeKey(args.root), value: args.rootEncoding })
  ops.push({ type: 'put', key: META_ROOT_KEY, value: args.root.slice() })
  return ops
}
