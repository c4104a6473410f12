import { BaseError } from '@appchain/core'

/**
 * A Merkle proof does not prove what it claims: a node is missing or does not hash to its reference,
 * or the proven value differs from the claimed one.
 *
 * @example
 * ```ts
 * try { verifyProof(root, proof) } catch (e) { if (e instanceof InvalidProofError) console.log(e.data) }
 * ```
 */
export class InvalidProofError extends BaseError {
  override name = 'InvalidProofError'
  constructor(reason: string, data: { root: string; key?: string | undefined; address?: string; slot?: string }) {
    super(`Invalid Merkle proof: ${reason}.`, { data: { reason, ...data } })
  }
}

/**
 * A trie node referenced by hash is neither in memory nor in the Db: the store was pruned, the caller
 * did not write a flush's ops, or the root belongs to another database.
 *
 * @example
 * ```ts
 * new MissingTrieNodeError('0x12…')
 * ```
 */
export class MissingTrieNodeError extends BaseError {
  override name = 'MissingTrieNodeError'
  constructor(hash: string) {
    super(`Trie node ${hash} not found.`, {
      data: { hash },
      metaMessages: ['Were the ops returned by flush() written to the Db?'],
    })
  }
}

/**
 * A synchronous batch write (`putPaths`, `updatePaths`) or a proof reached a node known only by its
 * hash: the paths must be loaded first (`resolvePaths`, or the async `get`/`put`/`update`).
 *
 * @example
 * ```ts
 * new UnresolvedTrieNodeError() // trie.putPaths(...) on a trie reopened from a root, before resolvePaths
 * ```
 */
export class UnresolvedTrieNodeError extends BaseError {
  override name = 'UnresolvedTrieNodeError'
  constructor() {
    super('A trie node on the path is known only by its hash.', {
      metaMessages: ['Call resolvePaths(paths, forDelete) first, or use the async get/put/update.'],
    })
  }
}

/**
 * Bytes that should hold a trie node (from the Db or a proof) are not valid node RLP.
 *
 * @example
 * ```ts
 * new InvalidTrieNodeError('0x12…', 'list of 3 items')
 * ```
 */
export class InvalidTrieNodeError extends BaseError {
  override name = 'InvalidTrieNodeError'
  constructor(hash: string, reason: string) {
    super(`Malformed trie node ${hash}: ${reason}.`, { data: { hash, reason } })
  }
}

/**
 * `commit()` or `revert()` without an open `checkpoint()`.
 *
 * @example
 * ```ts
 * state.commit() // throws NoCheckpointError when no checkpoint is open
 * ```
 */
export class NoCheckpointError extends BaseError {
  override name = 'NoCheckpointError'
  constructor(operation: 'commit' | 'revert') {
    super(`Cannot ${operation}: no checkpoint is open.`, { data: { operation } })
  }
}

/**
 * `flush()` while checkpoints are still open: a block must end with every checkpoint committed or reverted.
 *
 * @example
 * ```ts
 * state.checkpoint(); await state.flush() // throws OpenCheckpointError
 * ```
 */
export class OpenCheckpointError extends BaseError {
  override name = 'OpenCheckpointError'
  constructor(depth: number) {
    super(`Cannot flush with ${depth} open checkpoint(s).`, { data: { depth } })
  }
}

/**
 * A write on a read-only view of a past root (`state.at(root)`).
 *
 * @example
 * ```ts
 * const past = await state.at(root); await past?.putAccount(a, acct) // throws ReadOnlyStateError
 * ```
 */
export class ReadOnlyStateError extends BaseError {
  override name = 'ReadOnlyStateError'
  constructor(operation: string, root: string) {
    super(`Cannot ${operation}: the state view at ${root} is read-only.`, { data: { operation, root } })
  }
}

/**
 * The flat state in the Db was last flushed at another root than the one asked for (reopening at a
 * stale or foreign root would mix two states).
 *
 * @example
 * ```ts
 * await openStateDb({ db, root: oldRoot }) // throws StateRootMismatchError
 * ```
 */
export class StateRootMismatchError extends BaseError {
  override name = 'StateRootMismatchError'
  constructor(expected: string, stored: string) {
    super(`State in the Db is at root ${stored}, not ${expected}.`, { data: { expected, stored } })
  }
}

/**
 * A storage write to an account that does not exist: storage only exists under an account in
 * Ethereum's state (create the account first, as CREATE does).
 *
 * @example
 * ```ts
 * await state.putStorage(unknownAddress, slot, value) // throws AccountNotFoundError
 * ```
 */
export class AccountNotFoundError extends BaseError {
  override name = 'AccountNotFoundError'
  constructor(address: string, operation: string) {
    super(`Cannot ${operation}: account ${address} does not exist.`, { data: { address, operation } })
  }
}

/**
 * The shards served on `createShardedStateDb({ ports })`'s ports do not own each of the 16 first nibbles
 * exactly once (each port's thread must call `serveShard` with `shardNibbles(i, ports.length)` or another
 * partition).
 *
 * @example
 * ```ts
 * new ShardNibblesError([[0, 1], [1, 2]])
 * ```
 */
export class ShardNibblesError extends BaseError {
  override name = 'ShardNibblesError'
  constructor(nibbles: readonly (readonly number[])[]) {
    super(`The shards' nibbles ${JSON.stringify(nibbles)} do not cover 0–15 exactly once.`, {
      data: { nibbles: nibbles.map((n) => [...n]) },
    })
  }
}

/**
 * A shard's `applyRoot` failed part-way (its tries may be half updated), so the shard refuses every later call:
 * reopen the state from its Db at the last flushed root. `cause` is the failure.
 *
 * @example
 * ```ts
 * new ShardFailedError(new Error('Trie node 0x12… not found.'))
 * ```
 */
export class ShardFailedError extends BaseError {
  override name = 'ShardFailedError'
  constructor(cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause)
    super(`The shard failed applying a root (${reason}) and refuses further calls.`, {
      cause: cause instanceof Error ? cause : undefined,
      data: { reason },
      metaMessages: ['Reopen the state from its Db at the last flushed root.'],
    })
  }
}
