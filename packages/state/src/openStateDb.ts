import { bytesToHex, type Db, EMPTY_TRIE_ROOT, type Hex } from '@appchain/core'
import { StateRootMismatchError } from './errors.js'
import { META_ROOT_KEY } from './keys.js'
import { createStateDb, type MptStateDb } from './stateDb.js'

/**
 * Reopens the state a Db holds, at the root of its last written flush. With `root` (from the last
 * block header) it also checks that the Db's flat state is at that root.
 *
 * @example
 * ```ts
 * const db = await levelDb({ path: './data/chain' })
 * const state = await openStateDb({ db, root: head.stateRoot })
 * ```
 */
export async function openStateDb(config: {
  db: Db
  root?: Hex | undefined
  evictLeaves?: boolean | undefined
}): Promise<MptStateDb> {
  const stored = await config.db.get(META_ROOT_KEY)
  const storedRoot = stored === undefined ? EMPTY_TRIE_ROOT : bytesToHex(stored)
  if (config.root !== undefined && config.root.toLowerCase() !== storedRoot)
    throw new StateRootMismatchError(config.root, storedRoot)
  return createStateDb({ db: config.db, root: storedRoot, evictLeaves: config.evictLeaves })
}

/**
 * The root of the state a Db holds (as of its last written flush), without opening it.
 *
 * @example
 * ```ts
 * await storedStateRoot(db) // '0x56e8…' for an empty Db
 * ```
 */
export async function storedStateRoot(db: Db): Promise<Hex> {
  const stored = await db.get(META_ROOT_KEY)
  return stored === undefined ? EMPTY_TRIE_ROOT : bytesToHex(stored)
}
