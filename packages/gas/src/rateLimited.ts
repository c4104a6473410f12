import type { Address, FeeCharge, GasModel, TxEnvelope } from '@appchain/core'
import { reservations } from './reservations.js'
import { configBigint, configNamespace } from './validateConfig.js'
import { decodeUsage, encodeUsage, usageKey } from './windowUsage.js'

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
  const held = reservations<'free' | 'paid' | 'charged'>()
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
        const u = decodeUsage(await ctx.store.get(usageKey(namespace, tx.sender)), ctx.blockNumber / windowBlocks)
        if (u.txs < freeTxPerWindow) return
      }
      await then.admit(tx, ctx)
    },
    async upfront(tx, ctx) {
      if (eligible(tx)) {
        const key = usageKey(namespace, tx.sender)
        const u = decodeUsage(await ctx.store.get(key), ctx.blockNumber / windowBlocks)
        // Slots held by earlier transactions of this block count (a VM may run every upfront before any charge).
        if (u.txs + held.held(ctx.store, key).txs < freeTxPerWindow) {
          held.hold(ctx.store, key, 1n, 0n)
          held.decide(tx, ctx.store, 'free')
          return { payer: tx.sender, amount: 0n }
        }
      }
      held.decide(tx, ctx.store, 'paid')
      return then.upfront(tx, ctx)
    },
    async charge(tx, gasUsed, ctx) {
      const decision = held.decision(tx, ctx.store)
      if (decision === 'paid') return then.charge(tx, gasUsed, ctx)
      if (decision === 'charged') return free(tx.sender)
      if (eligible(tx)) {
        const window = ctx.blockNumber / windowBlocks
        const key = usageKey(namespace, tx.sender)
        const u = decodeUsage(await ctx.store.get(key), window)
        // Without a decision (no upfront in this execution) the store decides; the mark (nonce + 1) records
        // which transaction took the last slot, so charging it again stays free.
        const free_ = decision === 'free' || u.mark === tx.nonce + 1n || u.txs < freeTxPerWindow
        if (free_) {
          if (decision === 'free') held.release(ctx.store, key, 1n, 0n)
          if (u.mark !== tx.nonce + 1n) {
            await ctx.store.set(
              key,
              encodeUsage(window, { txs: u.txs + 1n, gas: u.gas + gasUsed, mark: tx.nonce + 1n }),
            )
          }
          held.decide(tx, ctx.store, 'charged')
          return free(tx.sender)
        }
      }
      return then.charge(tx, gasUsed, ctx)
    },
    priority: (tx, fees) => then.priority(tx, fees),
    quote: (fees) => then.quote(fees),
    ...(then.observeBlock ? { observeBlock: (input) => then.observeBlock!(input) } : {}),
  }
}
