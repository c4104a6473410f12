import {
  type Address,
  AlreadyKnownError,
  MempoolFullError,
  NonceTooLowError,
  type PendingView,
  ReplacementUnderpricedError,
  SenderQueueFullError,
  type TxEnvelope,
} from '@appchain/core'
import { NonceGapTooLargeError } from './errors.js'

export interface MempoolConfig {
  /** Transactions one sender may hold, pending and queued together (default 64). */
  maxPerSender?: number | undefined
  /** Transactions in the whole pool (default 10,000). */
  maxCount?: number | undefined
  /** Encoded bytes in the whole pool (default 32 MiB). */
  maxBytes?: number | undefined
  /** A replacement must raise both fee fields by at least this many percent (default 10). */
  priceBumpPercent?: number | undefined
  /** How far ahead of the sender's next nonce a transaction may be queued (default 64). */
  maxNonceGap?: number | undefined
  /**
   * What eviction compares: the transaction with the lowest value is evicted first, and never to admit one
   * that pays no more. The sequencer passes the gas model's `priority` at current fees; the default is the tip.
   */
  price?: ((tx: TxEnvelope) => bigint) | undefined
}

/** What `add` did. `promoted` lists the transactions that became executable, the new one included when it did. */
export interface MempoolAddResult {
  status: 'pending' | 'queued'
  replaced: TxEnvelope | undefined
  evicted: TxEnvelope[]
  promoted: TxEnvelope[]
}

/** What a change of a sender's nonce did to the pool. */
export interface MempoolNonceResult {
  /** Transactions below the new nonce (already in a block), now gone. */
  removed: TxEnvelope[]
  promoted: TxEnvelope[]
}

export interface Mempool extends PendingView {
  readonly count: number
  readonly bytes: number
  /**
   * Admits a transaction. `stateNonce` is the sender's next nonce in the latest state (the open block included);
   * the pool keeps the higher of it and what it already knows. Throws `NonceTooLowError`, `AlreadyKnownError`,
   * `ReplacementUnderpricedError`, `SenderQueueFullError`, `NonceGapTooLargeError` or `MempoolFullError`.
   */
  add(tx: TxEnvelope, ctx: { stateNonce: bigint }): MempoolAddResult
  get(hash: TxEnvelope['hash']): TxEnvelope | undefined
  has(hash: TxEnvelope['hash']): boolean
  /** The next nonce a sender's new transaction would take after everything pending (`eth_getTransactionCount('pending')`). */
  pendingNonce(sender: Address): bigint | undefined
  /** Every pending (executable) transaction, grouped by sender. */
  pending(): TxEnvelope[]
  /** Every queued (waiting for a nonce gap to fill) transaction. */
  queued(): TxEnvelope[]
  /** A transaction went into a block: it leaves the pool and its sender's next nonce moves past it. */
  markPlaced(tx: TxEnvelope): void
  /** Removes a transaction (refused at execution, expired); the sender's later ones wait for the gap to fill. */
  drop(hash: TxEnvelope['hash']): TxEnvelope | undefined
  /** The sender's nonce in the state moved (a block was sealed): drops what is below it, promotes what became executable. */
  setNonce(sender: Address, nonce: bigint): MempoolNonceResult
  /** Senders with at least one transaction in the pool. */
  allSenders(): Iterable<Address>
}

interface SenderQueue {
  /** The next nonce the chain expects from this sender. */
  base: bigint
  /** First nonce not in the contiguous run from `base`: pending = [base, end). */
  end: bigint
  txs: Map<bigint, TxEnvelope>
  cache: TxEnvelope[] | undefined
}

const DEFAULTS = {
  maxPerSender: 64,
  maxCount: 10_000,
  maxBytes: 32 * 1024 * 1024,
  priceBumpPercent: 10,
  maxNonceGap: 64,
}

function positiveInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`Mempool ${name} must be a positive integer: ${v}`)
  return v
}

/**
 * A transaction pool with per-sender nonce queues: `pending` (executable, no gaps from the sender's next nonce)
 * and `queued` (waiting for a gap to fill). Replacement needs a fee bump on both fee fields; per-sender, count and
 * byte caps evict the lowest-paying sender tail, never to admit a lower payer. It is itself the `PendingView`
 * ordering policies read.
 *
 * @example
 * ```ts
 * const pool = createMempool({ maxCount: 5_000 })
 * const { status } = pool.add(tx, { stateNonce: 0n }) // 'pending'
 * const order = [...priorityFee().order(pool, { block, gas })]
 * ```
 */
export function createMempool(config: MempoolConfig = {}): Mempool {
  const maxPerSender = positiveInt('maxPerSender', config.maxPerSender ?? DEFAULTS.maxPerSender)
  const maxCount = positiveInt('maxCount', config.maxCount ?? DEFAULTS.maxCount)
  const maxBytes = positiveInt('maxBytes', config.maxBytes ?? DEFAULTS.maxBytes)
  const maxNonceGap = positiveInt('maxNonceGap', config.maxNonceGap ?? DEFAULTS.maxNonceGap)
  const bump = config.priceBumpPercent ?? DEFAULTS.priceBumpPercent
  if (!Number.isInteger(bump) || bump < 0) throw new RangeError(`Mempool priceBumpPercent must be >= 0: ${bump}`)
  const price = config.price ?? ((tx: TxEnvelope) => tx.fee.maxPriorityFeePerGas)

  const senders = new Map<Address, SenderQueue>()
  const byHash = new Map<TxEnvelope['hash'], TxEnvelope>()
  const arrivals = new WeakMap<TxEnvelope, number>()
  /** Senders with at least one pending transaction, in the order they first became executable. */
  const executable = new Set<Address>()
  let seq = 0
  let bytes = 0

  const extend = (q: SenderQueue, sender: Address): TxEnvelope[] => {
    const promoted: TxEnvelope[] = []
    while (true) {
      const tx = q.txs.get(q.end)
      if (!tx) break
      promoted.push(tx)
      q.end++
    }
    if (promoted.length) q.cache = undefined
    if (q.end > q.base) executable.add(sender)
    return promoted
  }

  const removeTx = (q: SenderQueue, tx: TxEnvelope) => {
    q.txs.delete(tx.nonce)
    byHash.delete(tx.hash)
    bytes -= tx.size
    q.cache = undefined
  }

  const settle = (q: SenderQueue, sender: Address) => {
    if (q.end <= q.base) executable.delete(sender)
    if (q.txs.size === 0) {
      senders.delete(sender)
      executable.delete(sender)
    }
  }

  /** The tail (highest nonce) of each sender other than `except`, lowest price first, as eviction candidates. */
  const evictionPlan = (except: Address, needCount: number, needBytes: number, newPrice: bigint) => {
    const plan: TxEnvelope[] = []
    if (needCount <= 0 && needBytes <= 0) return plan
    // Per sender, walk tails from the top nonce down; candidates are picked globally by lowest price.
    const cursors: { sender: Address; nonces: bigint[] }[] = []
    for (const [sender, q] of senders) {
      if (sender === except) continue
      cursors.push({ sender, nonces: [...q.txs.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)) })
    }
    let count = needCount
    let b = needBytes
    while (count > 0 || b > 0) {
      let best: { c: (typeof cursors)[number]; tx: TxEnvelope; p: bigint } | undefined
      for (const c of cursors) {
        const n = c.nonces[c.nonces.length - 1]
        if (n === undefined) continue
        const tx = senders.get(c.sender)!.txs.get(n)!
        const p = price(tx)
        if (!best || p < best.p) best = { c, tx, p }
      }
      if (!best || best.p >= newPrice) return undefined
      plan.push(best.tx)
      best.c.nonces.pop()
      count--
      b -= best.tx.size
    }
    return plan
  }

  const pool: Mempool = {
    get count() {
      return byHash.size
    },
    get bytes() {
      return bytes
    },

    add(tx, { stateNonce }) {
      if (byHash.has(tx.hash)) throw new AlreadyKnownError({ hash: tx.hash })
      let q = senders.get(tx.sender)
      const moved = q && stateNonce > q.base ? pool.setNonce(tx.sender, stateNonce).promoted : []
      q = senders.get(tx.sender)
      const base = q ? q.base : stateNonce
      if (tx.nonce < base) throw new NonceTooLowError({ address: tx.sender, nonce: tx.nonce, expected: base })
      if (tx.nonce - base >= BigInt(maxNonceGap))
        throw new NonceGapTooLargeError({ address: tx.sender, nonce: tx.nonce, expected: base, maxGap: maxNonceGap })

      const old = q?.txs.get(tx.nonce)
      if (old) {
        const need = (v: bigint) => v + (v * BigInt(bump) + 99n) / 100n
        if (
          tx.fee.maxFeePerGas < need(old.fee.maxFeePerGas) ||
          tx.fee.maxPriorityFeePerGas < need(old.fee.maxPriorityFeePerGas)
        )
          throw new ReplacementUnderpricedError({ hash: old.hash, minBumpPercent: bump })
      } else if (q && q.txs.size >= maxPerSender) {
        throw new SenderQueueFullError({ address: tx.sender, max: maxPerSender })
      }

      const needCount = byHash.size + (old ? 0 : 1) - maxCount
      const needBytes = bytes - (old?.size ?? 0) + tx.size - maxBytes
      const evict = evictionPlan(tx.sender, needCount, needBytes, price(tx))
      if (!evict) {
        const limit = needCount > 0 ? 'count' : 'bytes'
        throw new MempoolFullError({ limit, max: limit === 'count' ? maxCount : maxBytes })
      }
      for (const e of evict) {
        const eq = senders.get(e.sender)!
        removeTx(eq, e)
        if (eq.end > e.nonce) eq.end = e.nonce
        settle(eq, e.sender)
      }

      if (!q) {
        q = { base, end: base, txs: new Map(), cache: undefined }
        senders.set(tx.sender, q)
      }
      if (old) removeTx(q, old)
      q.txs.set(tx.nonce, tx)
      byHash.set(tx.hash, tx)
      arrivals.set(tx, seq++)
      bytes += tx.size
      q.cache = undefined
      const promoted = extend(q, tx.sender)
      const status = tx.nonce < q.end ? 'pending' : 'queued'
      return {
        status,
        replaced: old,
        evicted: evict,
        promoted: [...moved, ...(old && status === 'pending' ? [tx] : promoted)],
      }
    },

    get: (hash) => byHash.get(hash),
    has: (hash) => byHash.has(hash),

    pendingNonce(sender) {
      return senders.get(sender)?.end
    },

    pending() {
      const out: TxEnvelope[] = []
      for (const s of executable) out.push(...pool.queue(s))
      return out
    },

    queued() {
      const out: TxEnvelope[] = []
      for (const q of senders.values()) for (const tx of q.txs.values()) if (tx.nonce >= q.end) out.push(tx)
      return out
    },

    markPlaced(tx) {
      const q = senders.get(tx.sender)
      if (!q || q.txs.get(tx.nonce) !== tx) {
        // Placed without passing through the pool (or replaced meanwhile): only the nonce moves.
        if (q && tx.nonce >= q.base) pool.setNonce(tx.sender, tx.nonce + 1n)
        return
      }
      removeTx(q, tx)
      if (tx.nonce >= q.base) q.base = tx.nonce + 1n
      if (q.end < q.base) q.end = q.base
      settle(q, tx.sender)
    },

    drop(hash) {
      const tx = byHash.get(hash)
      if (!tx) return undefined
      const q = senders.get(tx.sender)!
      removeTx(q, tx)
      if (q.end > tx.nonce) q.end = tx.nonce
      settle(q, tx.sender)
      return tx
    },

    setNonce(sender, nonce) {
      const q = senders.get(sender)
      if (!q) return { removed: [], promoted: [] }
      const removed: TxEnvelope[] = []
      for (const tx of q.txs.values()) if (tx.nonce < nonce) removed.push(tx)
      for (const tx of removed) removeTx(q, tx)
      const wasEnd = q.end
      q.base = nonce
      q.end = nonce
      q.cache = undefined
      // Only report what was not already pending before the move.
      const promoted = extend(q, sender).filter((t) => t.nonce >= wasEnd)
      settle(q, sender)
      return { removed, promoted }
    },

    senders: () => executable,
    queue(sender) {
      const q = senders.get(sender)
      if (!q || q.end <= q.base) return []
      if (!q.cache) {
        const out: TxEnvelope[] = []
        for (let n = q.base; n < q.end; n++) out.push(q.txs.get(n)!)
        q.cache = out
      }
      return q.cache
    },
    arrival: (tx) => arrivals.get(tx) ?? Number.MAX_SAFE_INTEGER,
    allSenders: () => senders.keys(),
  }
  return pool
}
