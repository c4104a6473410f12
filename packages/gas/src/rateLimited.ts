import type { Address, FeeCharge, GasModel, TxEnvelope } from '@appchain/core'
import { encodeFor, reservations, unhold, usageOf } from './reservations.js'
import { configBigint, configNamespace } from './validateConfig.js'
import { decodeUsage, usageKey, windowIndexer } from './windowUsage.js'

export interface RateLimitedConfig {
  /** Free transactions per sender per window. */
  freeTxPerWindow: bigint
  /** Window length in blocks (windows are aligned to multiples of it). */
  windowBlocks: bigint
  /** The model that prices every transaction beyond the free tier (and sets the block's fees). */
  then: GasModel
  /** A transaction with a larger gas limit is never free, so the free tier cannot buy heavy work. */
  maxFreeGas?: bigint | undefined
  /** `GasStore` key prefix. Default 'rl'. */
  namespace?: string | undefined
}

/**
 * A free tier per sender: the first `freeTxPerWindow` transactions of each window cost nothing (no bid and no
 * balance needed), later ones are priced by `then`. Fits social apps, where posting must be free for normal
 * use but spam pays. `upfront` holds a free slot for the block (in memory, so a transaction the VM excludes
 * afterwards costs nothing lasting) and `charge` records it in the store, with the transaction's nonce.
 *
 * @example
 * ```ts
 * import { eip1559, rateLimited } from '@appchain/gas'
 * const gas = rateLimited({ freeTxPerWindow: 20n, windowBlocks: 3_600n, then: eip1559() })
 * ```
 */
export function rateLimited(config: RateLimitedConfig): GasModel {
  const name = 'rateLimited'
  if (config === null || typeof config !== 'object') throw new TypeError('rateLimited: config must be an object')
  const freeTxPerWindow = configBigint(name, 'freeTxPerWindow', config.freeTxPerWindow)
  const windowBlocks = configBigint(name, 'windowBlocks', config.windowBlocks, { min: 1n })
  const maxFreeGas = config.maxFreeGas === undefined ? undefined : configBigint(name, 'maxFreeGas', config.maxFreeGas)
  const namespace = configNamespace(name, config.namespace ?? 'rl')
  const then = config.then
  if (then === null || typeof then !== 'object' || typeof then.charge !== 'function') {
    throw new TypeError('rateLimited: then must be a GasModel')
  }

  const eligible = (tx: TxEnvelope) =>
    tx.fee.feeToken === undefined && (maxFreeGas === undefined || tx.gasLimit <= maxFreeGas)
  const held = reservations<'free' | 'paid' | 'charged'>((sender) => usageKey(namespace, sender))
  const windowOf = windowIndexer(windowBlocks)
  const free = (sender: Address): FeeCharge => ({
    payer: sender,
    amount: 0n,
    burnt: 0n,
    credits: [],
    effectiveGasPrice: 0n,
  })

  return {
    name,
    genesisFees: () => then.genesisFees(),
    nextBlockFees: (parent) => then.nextBlockFees(parent),
    async admit(tx, ctx) {
      if (eligible(tx)) {
        const key = held.holder(ctx.store, tx.sender).key
        const u = decodeUsage(ctx.store.peek?.(key) ?? (await ctx.store.get(key)), windowOf(ctx.blockNumber))
        if (u.txs < freeTxPerWindow) return
      }
      await then.admit(tx, ctx)
    },
    async upfront(tx, ctx) {
      if (eligible(tx)) {
        const h = held.holder(ctx.store, tx.sender)
        const u = usageOf(h, ctx.store.peek?.(h.key) ?? (await ctx.store.get(h.key)), windowOf(ctx.blockNumber))
        // Slots held by earlier transactions of this block count (a VM may run every upfront before any charge).
        if (u.txs + h.txs < freeTxPerWindow) {
          h.txs += 1n
          held.decide(tx, ctx.store, 'free')
          // Nothing is charged whatever the bid, so the sender needs no balance for gas (`exact`).
          return { payer: tx.sender, amount: 0n, exact: true }
        }
      }
      held.decide(tx, ctx.store, 'paid')
      // `return await`: resolving this function's promise with another promise costs two more microtasks.
      return await then.upfront(tx, ctx)
    },
    async charge(tx, gasUsed, ctx) {
      const decision = held.decision(tx, ctx.store)
      if (decision === 'paid') return await then.charge(tx, gasUsed, ctx)
      if (decision === 'charged') return free(tx.sender)
      if (eligible(tx)) {
        const window = windowOf(ctx.blockNumber)
        const h = held.holder(ctx.store, tx.sender)
        const u = usageOf(h, ctx.store.peek?.(h.key) ?? (await ctx.store.get(h.key)), window)
        // Without a decision (no upfront in this execution) the store decides; the mark (nonce + 1) records
        // which transaction took the last slot, so charging it again stays free.
        const mark = tx.nonce + 1n
        const free_ = decision === 'free' || u.mark === mark || u.txs < freeTxPerWindow
        if (free_) {
          if (decision === 'free') unhold(h, 1n, 0n)
          if (u.mark !== mark) {
            const next = encodeFor(h, window, { txs: u.txs + 1n, gas: u.gas + gasUsed, mark })
            if (ctx.store.put) ctx.store.put(h.key, next)
            else await ctx.store.set(h.key, next)
          }
          held.decide(tx, ctx.store, 'charged')
          return free(tx.sender)
        }
      }
      return await then.charge(tx, gasUsed, ctx)
    },
    release(tx, ctx) {
      // The VM excluded `tx` after upfront: a held free slot goes back to the sender for this block.
      const decision = held.decision(tx, ctx.store)
      if (decision === 'free') unhold(held.holder(ctx.store, tx.sender), 1n, 0n)
      else if (decision === 'paid') then.release?.(tx, ctx)
      else return
      held.forget(tx, ctx.store)
    },
    priority: (tx, fees) => then.priority(tx, fees),
    quote: (fees) => then.quote(fees),
    ...(then.observeBlock ? { observeBlock: (input) => then.observeBlock!(input) } : {}),
  }
}
