import type { Address } from '@appchain/core'
import { nibbleOf, shardNibbles } from '@appchain/state'
import { lockGroups } from './scheduler.js'

/** What the sharded pipeline's plan needs of a transaction. */
export interface ShardPlanTx {
  sender: Address
  reads: readonly Address[]
  writes: readonly Address[]
}

/** The worker that owns each nibble when `workers` threads host the shards (`shardNibbles` ranges). */
export function nibbleOwners(workers: number): Uint8Array {
  if (!Number.isInteger(workers) || workers < 1 || workers > 16)
    throw new RangeError(`workers must be 1..16 to host shards, got ${workers}`)
  const owners = new Uint8Array(16)
  for (let w = 0; w < workers; w++) for (const n of shardNibbles(w, workers)) owners[n] = w
  return owners
}

// Senders recur from block to block: their nibble is hashed once (a bounded memo).
let nibbles = new Map<Address, number>()

/**
 * Forgets the remembered nibbles (benchmarks measure the plan with the memo cold this way).
 *
 * @example
 * ```ts
 * clearNibbleMemo()
 * ```
 */
export function clearNibbleMemo(): void {
  nibbles = new Map()
}

/** `nibbleOf(a)`, remembered. */
export function cachedNibble(a: Address): number {
  let n = nibbles.get(a)
  if (n === undefined) {
    n = nibbleOf(a)
    if (nibbles.size >= 1 << 20) nibbles = new Map()
    nibbles.set(a, n)
  }
  return n
}

/**
 * Which worker runs each transaction in the sharded pipeline: lock groups over the declared accounts with each
 * transaction's sender added to its writes (its nonce and fee hold, its programs and its refund fall in one
 * group, and anything reading the sender waits for that group), each group on the worker owning its first
 * sender's nibble. Returns the worker of every transaction, in block order, and the number of groups.
 *
 * Why running phase 1 (nonces, holds), phase 2 (programs) and phase 3 (charges, refunds) per worker, each in
 * block order, equals the reference (all of phase 1 in block order, then the programs, then phase 3):
 * - every account a transaction touches in any phase is its sender (= its payer, for the portable models the
 *   pipeline runs) or a declared account; all transactions touching an account written in the block are in
 *   one group, hence on one worker, and accounts only read in the block do not change during it;
 * - phase 1 of a transaction reads its sender's nonce and balance: the reference's value there is the
 *   pre-block value plus the holds of earlier transactions of that sender, all of them on the same worker,
 *   which runs phase 1 in block order before any program (as the reference does);
 * - a program sees every hold (all of phase 1 ran) and the earlier programs of its group, exactly what it sees
 *   in the reference, where the other groups' programs touch none of its accounts;
 * - phase 3 only adds (refunds to the payer, fee credits), never reads for a decision: refunds are applied by
 *   the worker after its programs, and the credits (to the coinbase or a vault, which a program of any worker
 *   may read) are summed and added by the main thread after every worker finished, as the reference credits
 *   after every program ran; additions commute, so the final balances are the same.
 * The block gas limit is the one cross-sender dependency of phase 1: the pipeline is only used when the sum of
 * every transaction's intrinsic gas fits it, so no transaction is excluded by it.
 *
 * @example
 * ```ts
 * const { worker } = shardPlan(txs.map((t) => ({ sender: t.sender, ...t.accessSet })), 2)
 * ```
 */
export function shardPlan(txs: readonly ShardPlanTx[], workers: number): { worker: Uint8Array; groups: number } {
  const owners = nibbleOwners(workers)
  const declared = txs.map((t) => ({ reads: t.reads, writes: [...t.writes, t.sender] }))
  const groups = lockGroups(declared)
  const worker = new Uint8Array(txs.length)
  for (const g of groups) {
    const w = owners[cachedNibble(txs[g[0]!]!.sender)]!
    for (const i of g) worker[i] = w
  }
  return { worker, groups: groups.length }
}
