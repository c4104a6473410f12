import type { Db, Hex } from '@appchain/core'
import { toHex } from './hex.js'

/** Where a trie loads nodes it knows only by hash. */
export interface NodeStore {
  /** Node encodings by hash, in order; undefined where unknown. */
  getNodes(hashes: Uint8Array[]): Promise<(Uint8Array | undefined)[]>
}

/** Db key prefix of trie nodes: `S` `n` hash. @example `nodeKey(hash) // 'Sn' + hash` */
export const NODE_PREFIX = new Uint8Array([0x53, 0x6e])

/** The Db key of a trie node. */
export function nodeKey(hash: Uint8Array): Uint8Array {
  const k = new Uint8Array(34)
  k.set(NODE_PREFIX)
  k.set(hash, 2)
  return k
}

/**
 * A node store over a `Db` (keys `Sn` + hash), with an optional overlay of nodes flushed but
 * perhaps not yet written by the caller.
 *
 * @example
 * ```ts
 * const store = dbNodeStore(db)
 * const trie = createTrie({ secure: true, root, store })
 * ```
 */
export function dbNodeStore(db: Db, overlay?: () => Map<Hex, Uint8Array>): NodeStore {
  return {
    async getNodes(hashes) {
      const out: (Uint8Array | undefined)[] = new Array(hashes.length)
      const missing: number[] = []
      const pending = overlay?.()
      // Nothing in the overlay (a state reopened, or no flush yet): no per-hash lookup at all.
      if (pending === undefined || pending.size === 0) return db.getMany(hashes.map(nodeKey))
      for (let i = 0; i < hashes.length; i++) {
        const v = pending?.get(toHex(hashes[i]!))
        if (v === undefined) missing.push(i)
        else out[i] = v
      }
      if (missing.length > 0) {
        const values = await db.getMany(missing.map((i) => nodeKey(hashes[i]!)))
        for (let j = 0; j < missing.length; j++) out[missing[j]!] = values[j]
      }
      return out
    },
  }
}

/**
 * A node store in memory (a map from hash to encoding), e.g. for proofs or tests.
 *
 * @example
 * ```ts
 * const nodes = new Map(); const trie = createTrie({ store: memoryNodeStore(nodes) })
 * ```
 */
export function memoryNodeStore(nodes: Map<Hex, Uint8Array>): NodeStore {
  return { getNodes: async (hashes) => hashes.map((h) => nodes.get(toHex(h))) }
}
