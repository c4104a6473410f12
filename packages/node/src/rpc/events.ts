import type { Hex } from '@appchain/core'
import { FilterNotFoundError, RpcInvalidParamsError, RpcLimitExceededError } from '../errors.js'
import type { Preconfirmation } from '../seam.js'
import { type ChainLog, logMatches } from '../store/chainStore.js'
import type { BlockRecord } from '../store/codec.js'
import type { RpcConnection } from './dispatcher.js'
import { formatBlock, formatLog } from './format.js'

/** A log filter resolved to addresses and topic positions; block bounds are checked per block. */
export interface LogFilter {
  addresses: Hex[]
  topics: (Hex | Hex[] | null)[]
  fromBlock?: bigint | undefined
  toBlock?: bigint | undefined
}

type Filter =
  | { kind: 'block'; items: Hex[]; touched: number }
  | { kind: 'pending'; items: Hex[]; touched: number }
  | { kind: 'logs'; items: Record<string, unknown>[]; touched: number; filter: LogFilter }

type Subscription =
  | { kind: 'newHeads'; conn: RpcConnection }
  | { kind: 'newPendingTransactions'; conn: RpcConnection; full: boolean }
  | { kind: 'logs'; conn: RpcConnection; filter: LogFilter }
  | { kind: 'preconfirmations'; conn: RpcConnection }

const randomId = (): Hex => {
  const b = new Uint8Array(16)
  crypto.getRandomValues(b)
  return `0x${Buffer.from(b).toString('hex')}`
}

export const preconfJson = (p: Preconfirmation) => ({
  txHash: p.txHash,
  blockNumber: `0x${p.blockNumber.toString(16)}`,
  index: `0x${p.index.toString(16)}`,
  sequencer: p.sequencer,
  signature: p.signature,
})

/**
 * Polling filters (`eth_newFilter` & co.) and WebSocket subscriptions (`eth_subscribe`), fed by the node on
 * every sealed block, accepted transaction and preconfirmation. Idle filters expire like geth's (5 minutes).
 *
 * @example
 * ```ts
 * const events = createEventHub({ maxSubscriptionsPerConnection: 16 })
 * const id = events.newFilter({ kind: 'block' })
 * ```
 */
export function createEventHub(opts: {
  maxSubscriptionsPerConnection: number
  maxFilters?: number | undefined
  filterTimeoutMs?: number | undefined
  /** Full pending transaction objects for `newPendingTransactions` with `true`. */
  pendingTxJson?: ((hash: Hex) => unknown) | undefined
}) {
  const filters = new Map<string, Filter>()
  const subs = new Map<string, Subscription>()
  const maxFilters = opts.maxFilters ?? 10_000
  const timeout = opts.filterTimeoutMs ?? 5 * 60_000
  // Filters buffer at most this many items between polls; older ones are dropped.
  const maxBuffered = 10_000
  const push = <T>(items: T[], item: T) => {
    items.push(item)
    if (items.length > maxBuffered) items.shift()
  }

  const expire = () => {
    const now = Date.now()
    for (const [id, f] of filters) if (now - f.touched > timeout) filters.delete(id)
  }

  return {
    newFilter(spec: { kind: 'block' } | { kind: 'pending' } | { kind: 'logs'; filter: LogFilter }): Hex {
      expire()
      if (filters.size >= maxFilters)
        throw new RpcLimitExceededError({ limit: 'installed filters', max: maxFilters, got: filters.size + 1 })
      const id = randomId()
      const touched = Date.now()
      filters.set(
        id,
        spec.kind === 'logs'
          ? { kind: 'logs', items: [], touched, filter: spec.filter }
          : { kind: spec.kind, items: [], touched },
      )
      return id
    },
    filter(id: string): Filter {
      const f = filters.get(id.toLowerCase())
      if (!f) throw new FilterNotFoundError({ id })
      f.touched = Date.now()
      return f
    },
    changes(id: string): unknown[] {
      const f = this.filter(id)
      const out = f.items
      f.items = []
      return out
    },
    uninstall(id: string): boolean {
      return filters.delete(String(id).toLowerCase())
    },
    subscribe(conn: RpcConnection, kind: string, arg: unknown, parseLogFilter: (v: unknown) => LogFilter): Hex {
      if (conn.subscriptions.size >= opts.maxSubscriptionsPerConnection) {
        throw new RpcLimitExceededError({
          limit: 'subscriptions per connection',
          max: opts.maxSubscriptionsPerConnection,
          got: conn.subscriptions.size + 1,
        })
      }
      let sub: Subscription
      if (kind === 'newHeads') sub = { kind, conn }
      else if (kind === 'newPendingTransactions') sub = { kind, conn, full: arg === true }
      else if (kind === 'logs') sub = { kind, conn, filter: parseLogFilter(arg) }
      else if (kind === 'appchain_preconfirmations' || kind === 'preconfirmations')
        sub = { kind: 'preconfirmations', conn }
      else throw new RpcInvalidParamsError({ index: 0, reason: `unknown subscription type ${JSON.stringify(kind)}` })
      const id = randomId()
      subs.set(id, sub)
      if (conn.subscriptions.size === 0)
        conn.onClose(() => {
          for (const s of conn.subscriptions) subs.delete(s)
          conn.subscriptions.clear()
        })
      conn.subscriptions.add(id)
      return id
    },
    unsubscribe(conn: RpcConnection, id: string): boolean {
      const key = String(id).toLowerCase()
      const sub = subs.get(key)
      if (!sub || sub.conn !== conn) return false
      subs.delete(key)
      conn.subscriptions.delete(key)
      return true
    },
    /** A block was sealed: heads, logs and block filters. */
    onBlock(block: BlockRecord, logs: readonly ChainLog[]) {
      expire()
      let head: Record<string, unknown> | undefined
      for (const [id, s] of subs) {
        if (s.kind === 'newHeads') {
          head ??= formatBlock(block, [])
          s.conn.notify('eth_subscription', { subscription: id, result: head })
        } else if (s.kind === 'logs') {
          for (const log of logs) {
            if (logMatches(log, { addresses: s.filter.addresses, topics: s.filter.topics })) {
              s.conn.notify('eth_subscription', { subscription: id, result: formatLog(log) })
            }
          }
        }
      }
      for (const f of filters.values()) {
        if (f.kind === 'block') push(f.items, block.hash)
        else if (f.kind === 'logs') {
          const n = block.header.number
          if (f.filter.fromBlock !== undefined && n < f.filter.fromBlock) continue
          if (f.filter.toBlock !== undefined && n > f.filter.toBlock) continue
          for (const log of logs) if (logMatches(log, f.filter)) push(f.items, formatLog(log))
        }
      }
    },
    /** A transaction entered the mempool. */
    onPendingTx(hash: Hex) {
      for (const [id, s] of subs) {
        if (s.kind === 'newPendingTransactions') {
          s.conn.notify('eth_subscription', {
            subscription: id,
            result: s.full ? (opts.pendingTxJson?.(hash) ?? hash) : hash,
          })
        }
      }
      for (const f of filters.values()) if (f.kind === 'pending') push(f.items, hash)
    },
    onPreconfirmation(p: Preconfirmation) {
      let json: unknown
      for (const [id, s] of subs) {
        if (s.kind === 'preconfirmations') {
          json ??= preconfJson(p)
          s.conn.notify('eth_subscription', { subscription: id, result: json })
        }
      }
    },
    get subscriptionCount() {
      return subs.size
    },
  }
}

export type EventHub = ReturnType<typeof createEventHub>
