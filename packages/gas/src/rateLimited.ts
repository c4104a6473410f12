import type { ChargeContext, FeeCharge, GasModel, TxEnvelope, UpfrontCharge } from '@appchain/core'
import { frozenArray } from './frozenArray.js'
import { hideSyncVariants } from './hideSyncVariants.js'
import { bump, type Holder, reservations, unhold, usageOf } from './reservations.js'
import { addUsage, loadUsage, usageReady } from './unpackedUsage.js'
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
  type Decision = 'free' | 'paid' | 'charged'
  const held = reservations<Decision>((sender) => usageKey(namespace, sender))
  const windowOf = windowIndexer(windowBlocks)
  // The free tier as a number, for counts kept unpacked (a count never exceeds 32 bits).
  const freeNumber = freeTxPerWindow > MAX_SAFE_BIG ? Infinity : Number(freeTxPerWindow)
  // A free answer names its payer only: one frozen upfront and one charge per sender and block execution, handed
  // out for each of its free transactions (two objects per transaction before, kept alive by the block's receipts).
  const free = (h: Holder): FeeCharge => {
    if (h.freeCharge === undefined)
      h.freeCharge = Object.freeze({
        payer: h.sender,
        amount: 0n,
        burnt: 0n,
        credits: NO_CREDITS,
        effectiveGasPrice: 0n,
      })
    return h.freeCharge
  }

  /**
   * The free slot upfront holds when the sender's usage (unpacked and loaded, or the stored value `v`) and this
   * block's holds leave one; else undefined.
   */
  const holdFree = (tx: TxEnvelope, ctx: ChargeContext, h: Holder, v: bigint): UpfrontCharge | undefined => {
    // Slots held by earlier transactions of this block count (a VM may run every upfront before any charge).
    if (h.unpacked) {
      if ((h.txs === 0n ? h.uTxs : h.uTxs + Number(h.txs)) >= freeNumber) return undefined
    } else {
      const u = usageOf(h, v, windowOf(ctx.blockNumber))
      if ((h.txs === 0n ? u.txs : u.txs + h.txs) >= freeTxPerWindow) return undefined
    }
    h.txs = h.txs === 0n ? 1n : h.txs + 1n
    held.decide(tx, ctx.store, 'free')
    // Nothing is charged whatever the bid, so the sender needs no balance for gas (`exact`).
    if (h.freeUpfront === undefined) h.freeUpfront = Object.freeze({ payer: h.sender, amount: 0n, exact: true })
    return h.freeUpfront
  }
  const upfrontAfterRead = async (tx: TxEnvelope, ctx: ChargeContext, h: Holder): Promise<UpfrontCharge> => {
    const v = await ctx.store.get(h.key)
    if (h.unpacked) loadUsage(h, v, windowOf(ctx.blockNumber))
    const up = holdFree(tx, ctx, h, v)
    if (up !== undefined) return up
    held.decide(tx, ctx.store, 'paid')
    return await then.upfront(tx, ctx)
  }

  /**
   * A free charge, when the sender's usage (unpacked and loaded, or the stored value `v`) makes `tx` free: records
   * the slot and returns true (or the store's write promise, for a store without `put`); undefined when `tx` pays.
   */
  const chargeFree = (
    tx: TxEnvelope,
    gasUsed: bigint,
    ctx: ChargeContext,
    h: Holder,
    v: bigint,
    decision: Decision | undefined,
  ): true | Promise<void> | undefined => {
    if (h.unpacked) {
      // As below, on the fields: `uMark` is the mark − 1, so `uMark === nonce` is `mark === nonce + 1` (no sum).
      if (!(decision === 'free' || h.uMark === tx.nonce || h.uTxs < freeNumber)) return undefined
      if (decision === 'free') unhold(h, 1n, 0n)
      if (h.uMark !== tx.nonce) addUsage(h, gasUsed, tx.nonce)
      held.decide(tx, ctx.store, 'charged')
      return true
    }
    const window = windowOf(ctx.blockNumber)
    const u = usageOf(h, v, window)
    // Without a decision (no upfront in this execution) the store decides; the mark (nonce + 1) records
    // which transaction took the last slot, so charging it again stays free.
    const mark = tx.nonce + 1n
    if (!(decision === 'free' || u.mark === mark || u.txs < freeTxPerWindow)) return undefined
    if (decision === 'free') unhold(h, 1n, 0n)
    let write: Promise<void> | undefined
    if (u.mark !== mark) {
      const next = bump(h, v, window, gasUsed, mark)
      if (ctx.store.put) ctx.store.put(h.key, next)
      else write = ctx.store.set(h.key, next)
    }
    held.decide(tx, ctx.store, 'charged')
    return write ?? true
  }
  const chargeAfterRead = async (
    tx: TxEnvelope,
    gasUsed: bigint,
    ctx: ChargeContext,
    h: Holder,
    decision: Decision | undefined,
  ): Promise<FeeCharge> => {
    const v = await ctx.store.get(h.key)
    if (h.unpacked) loadUsage(h, v, windowOf(ctx.blockNumber))
    const c = chargeFree(tx, gasUsed, ctx, h, v, decision)
    if (c === undefined) return await then.charge(tx, gasUsed, ctx)
    if (c !== true) await c
    return free(h)
  }

  return hideSyncVariants({
    name,
    genesisFees: () => then.genesisFees(),
    nextBlockFees: (parent) => then.nextBlockFees(parent),
    async admit(tx, ctx) {
      if (eligible(tx)) {
        // Found on the transaction when the batch's prefetch (the sequencer's) left it there, as in the block.
        const h = held.holderOf(ctx.store, tx)
        const window = windowOf(ctx.blockNumber)
        if (h.unpacked) {
          if (!usageReady(h, ctx.store, window)) loadUsage(h, await ctx.store.get(h.key), window)
          if (h.uTxs < freeNumber) return
        } else if (decodeUsage(ctx.store.peek?.(h.key) ?? (await ctx.store.get(h.key)), window).txs < freeTxPerWindow)
          return
      }
      await then.admit(tx, ctx)
    },
    admitSync(tx, ctx) {
      if (eligible(tx)) {
        const h = held.holderOf(ctx.store, tx)
        const window = windowOf(ctx.blockNumber)
        if (h.unpacked) {
          if (!usageReady(h, ctx.store, window)) return false
          if (h.uTxs < freeNumber) return true
        } else {
          const v = ctx.store.peek?.(h.key)
          if (v === undefined) return false
          // The holder's decoding (no new object when the value is the one it decoded last).
          if (usageOf(h, v, window).txs < freeTxPerWindow) return true
        }
      }
      return then.admitSync?.(tx, ctx) ?? false
    },
    upfrontSync(tx, ctx) {
      if (eligible(tx)) {
        const h = held.holderOf(ctx.store, tx)
        let v = 0n
        if (h.unpacked) {
          if (!usageReady(h, ctx.store, windowOf(ctx.blockNumber))) return undefined
        } else {
          const peeked = ctx.store.peek?.(h.key)
          if (peeked === undefined) return undefined
          v = peeked
        }
        const up = holdFree(tx, ctx, h, v)
        if (up !== undefined) return up
      }
      // Paid, as in upfront; when the next model cannot answer without an await, nothing stays done.
      held.decide(tx, ctx.store, 'paid')
      const up = then.upfrontSync?.(tx, ctx)
      if (up === undefined) held.forget(tx, ctx.store)
      return up
    },
    chargeSync(tx, gasUsed, ctx) {
      const decision = held.decision(tx, ctx.store)
      if (decision === 'paid') return then.chargeSync?.(tx, gasUsed, ctx)
      if (decision === 'charged') return free(held.holderOf(ctx.store, tx))
      if (eligible(tx)) {
        // Only on a write-back store (one with `put`), where the usage is kept unpacked until observeBlock.
        const h = held.holderOf(ctx.store, tx)
        if (!h.unpacked || !usageReady(h, ctx.store, windowOf(ctx.blockNumber))) return undefined
        if (chargeFree(tx, gasUsed, ctx, h, 0n, decision) !== undefined) return free(h)
      }
      return then.chargeSync?.(tx, gasUsed, ctx)
    },
    // upfront and charge are plain functions that hand the next model's promise back as it is (paid) or a
    // settled one (free): an async wrapper would add a promise and its microtasks to every paid transaction.
    // A sender's usage not in the store's memory yet is read in the async variants below.
    upfront(tx, ctx) {
      try {
        if (eligible(tx)) {
          const h = held.holderOf(ctx.store, tx)
          let v = 0n
          if (h.unpacked) {
            if (!usageReady(h, ctx.store, windowOf(ctx.blockNumber))) return upfrontAfterRead(tx, ctx, h)
          } else {
            const peeked = ctx.store.peek?.(h.key)
            if (peeked === undefined) return upfrontAfterRead(tx, ctx, h)
            v = peeked
          }
          const up = holdFree(tx, ctx, h, v)
          if (up !== undefined) return Promise.resolve(up)
        }
        held.decide(tx, ctx.store, 'paid')
        return then.upfront(tx, ctx)
      } catch (e) {
        return Promise.reject(e)
      }
    },
    charge(tx, gasUsed, ctx) {
      try {
        const decision = held.decision(tx, ctx.store)
        if (decision === 'paid') return then.charge(tx, gasUsed, ctx)
        if (decision === 'charged') return Promise.resolve(free(held.holderOf(ctx.store, tx)))
        if (eligible(tx)) {
          const h = held.holderOf(ctx.store, tx)
          let v = 0n
          if (h.unpacked) {
            if (!usageReady(h, ctx.store, windowOf(ctx.blockNumber)))
              return chargeAfterRead(tx, gasUsed, ctx, h, decision)
          } else {
            const peeked = ctx.store.peek?.(h.key)
            if (peeked === undefined) return chargeAfterRead(tx, gasUsed, ctx, h, decision)
            v = peeked
          }
          const c = chargeFree(tx, gasUsed, ctx, h, v, decision)
          if (c !== undefined) return c === true ? Promise.resolve(free(h)) : c.then(() => free(h))
        }
        return then.charge(tx, gasUsed, ctx)
      } catch (e) {
        return Promise.reject(e)
      }
    },
    release(tx, ctx) {
      // The VM excluded `tx` after upfront: a held free slot goes back to the sender for this block.
      const decision = held.decision(tx, ctx.store)
      if (decision === 'free') unhold(held.holderOf(ctx.store, tx), 1n, 0n)
      else if (decision === 'paid') then.release?.(tx, ctx)
      else return
      held.forget(tx, ctx.store)
    },
    // The free-tier usage of every eligible sender in one batched read, beside the next model's own prefetch.
    async prefetch(txs, ctx) {
      await Promise.all([held.prefetch(ctx.store, txs, eligible), then.prefetch?.(txs, ctx)])
    },
    priority: (tx, fees) => then.priority(tx, fees),
    quote: (fees) => then.quote(fees),
    // The block's free-tier usage, kept unpacked on a write-back store, into the store (once per sender, before the
    // VM flushes it), then the next model's own.
    async observeBlock(input) {
      held.writeUsage(input.store)
      await then.observeBlock?.(input)
    },
  })
}

const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER)

// A free charge credits nobody: one frozen empty list for all of them (no caller can add to it).
const NO_CREDITS = frozenArray<FeeCharge['credits'][number]>([])
