import type { Db, Hex } from '@appchain/core'
import { decodeAccount, encodeAccount } from './account.js'
import { toHex } from './hex.js'
import { ACCOUNT_PREFIX, prefixEnd, storagePrefix } from './keys.js'
import { encodeStr } from './rlp.js'
import { Trie } from './trie.js'

/**
 * Rebuilds the state root from the flat state in a Db alone (every account and storage slot, storage
 * roots recomputed, no stored trie node trusted). Slow (reads the whole state): for consistency checks
 * after a crash, and tests.
 *
 * @example
 * ```ts
 * (await recomputeStateRoot(db)) === (await storedStateRoot(db)) // true unless the Db is corrupt
 * ```
 */
export async function recomputeStateRoot(db: Db): Promise<Hex> {
  const accounts = new Trie({ secure: true })
  for await (const [key, record] of db.iterator({ gte: ACCOUNT_PREFIX, lt: prefixEnd(ACCOUNT_PREFIX) })) {
    const address = toHex(key.subarray(2))
    const prefix = storagePrefix(address)
    const storage = new Trie({ secure: true })
    for await (const [k, v] of db.iterator({ gte: prefix, lt: prefixEnd(prefix) })) {
      await storage.put(k.subarray(22), encodeStr(v))
    }
    const account = decodeAccount(record)
    await accounts.put(key.subarray(2), encodeAccount(account, storage.rootHash()))
  }
  return accounts.root()
}
