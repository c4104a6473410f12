import {
  type Address,
  type ChargeContext,
  type FeeCharge,
  type GasModel,
  PaymasterInsufficientFundsError,
  QuotaExceededError,
  type TxEnvelope,
  UnknownFeeTokenError,
  type UpfrontCharge,
} from '@appchain/core'
import { admissionBalances } from './admissionBalances.js'
import { NotSponsoredError } from './errors.js'
import { configFeeRecipient, type FeeRecipient } from './feeRecipient.js'
import { frozenArray } from './frozenArray.js'
import { hideSyncVariants } from './hideSyncVariants.js'
import { bump, type Holder, hold as holdQuota, reservations, unhold, usageOf } from './reservations.js'
import { addUsage, loadUsage, usageReady } from './unpackedUsage.js'
import { configAddress, configBigint, configNamespace } from './validateConfig.js'
import { usageKey, windowIndexer } from './windowUsage.js'

const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER)

export interface SponsoredConfig {
  /** The account that pays every fee. */
  paymaster: Address
  /** Per-sender limits per window of `windowBlocks` blocks; an omitted limit is unlimited. */
  quota: { txPerWindow?: bigint | undefined; gasPerWindow?: bigint | undefined; windowBlocks: bigint }
  /** Which transactions are sponsored: a list of senders, or a predicate. Everything when omitted. */
  allow?: readonly Address[] | ((tx: TxEnvelope) => boolean) | undefined
  /** What the paymaster pays per unit of gas. Default 1 gwei. */
  gasPrice?: bigint | undefined
  /** Where the paymaster's payments go. Default 'coinbase'. */
  feeRecipient?: FeeRecipient | undefined
  /** `GasStore` key prefix; change it only to run two sponsored models side by side. Default 'sp'. */
  namespace?: string | undefined
}

/**
 * Users pay nothing: a paymaster account pays every fee, within per-user quotas (transactions and gas per
 * window of blocks). Fits games, where players should never see a fee. Over-quota transactions and an empty
 * paymaster are refused at admission, and again before anything is debited at execution, with
 * `QuotaExceededError` and `PaymasterInsufficientFundsError`, so nothing is ever half-charged.
 *
 * @example
 * ```ts
 * import { sponsored } from '@appchain/gas'
 * const gas = sponsored({
 *   paymaster: '0x00000000000000000000000000000000000000aa',
 *   quota: { txPerWindow: 100n, gasPerWindow: 10_000_000n, windowBlocks: 600n }, // per minute at 100 ms blocks
 * })
 * ```
 */
export function sponsored(config: SponsoredConfig): GasModel & { readonly paymaster: Address } {
  const name = 'sponsored'
  if (config === null || typeof config !== 'object') throw new TypeError('sponsored: config must be an object')
  if (config.quota === null || typeof config.quota !== 'object')
    throw new TypeError('sponsored: quota must be an object')
  const paymaster = configAddress(name, 'paymaster', config.paymaster)
  const windowBlocks = configBigint(name, 'quota.windowBlocks', config.quota.windowBlocks, { min: 1n })
  const txPerWindow =
    config.quota.txPerWindow === undefined
      ? undefined
      : configBigint(name, 'quota.txPerWindow', config.quota.txPerWindow)
  const gasPerWindow =
    config.quota.gasPerWindow === undefined
      ? undefined
      : configBigint(name, 'quota.gasPerWindow', config.quota.gasPerWindow)
  const gasPrice = configBigint(name, 'gasPrice', config.gasPrice ?? 1_000_000_000n)
  const feeRecipient = configFeeRecipient(name, 'feeRecipient', config.feeRecipient ?? 'coinbase')
  const namespace = configNamespace(name, config.namespace ?? 'sp')
  const allow = config.allow
  let allowed: (tx: TxEnvelope) => boolean
  if (allow === undefined) allowed = () => true
  else if (typeof allow === 'function') allowed = allow
  else if (Array.isArray(allow)) {
    const set = new Set(allow.map((a, i) => configAddress(name, `allow[${i}]`, a)))
    allowed = (tx) => set.has(tx.sender.toLowerCase() as Address)
  } else throw new TypeError('sponsored: allow must be an array of addresses or a function')

  const held = reservations<true>((sender) => usageKey(namespace, sender))
  // The paymaster's balance, read once per admission batch (the state does not change during one).
  const admissionBalance = admissionBalances()
  const windowOf = windowIndexer(windowBlocks)

  // gasPerWindow − gasLimit for the last gas limit asked about (a block's transactions mostly share one), and the
  // same as a number for usage kept as one (±Infinity beyond the safe integers, which compares the same way).
  let headroomLimit = -1n
  let headroomLeft = 0n
  let headroomNumber = 0
  const headroom = (gasLimit: bigint, perWindow: bigint): void => {
    if (gasLimit !== headroomLimit) {
      headroomLimit = gasLimit
      headroomLeft = perWindow - gasLimit
      headroomNumber =
        headroomLeft > MAX_SAFE_BIG ? Infinity : headroomLeft < -MAX_SAFE_BIG ? -Infinity : Number(headroomLeft)
    }
  }
  // The transaction limit as a number, for a count kept as one (a count never exceeds 32 bits).
  const txLimitNumber = txPerWindow === undefined || txPerWindow > MAX_SAFE_BIG ? Infinity : Number(txPerWindow)

  /**
   * The quota checks that must pass before the paymaster is debited: `txs` and `gas` are the sender's usage in
   * `window` plus what earlier transactions of the same block execution hold (none at admission). Numbers where
   * the usage is kept unpacked (see `unpackedUsage.ts`), compared against number limits: a comparison of a
   * number with a bigint costs several times one of two numbers.
   */
  const checkQuota = (tx: TxEnvelope, txs: bigint | number, gas: bigint | number, window: bigint) => {
    if (!allowed(tx)) throw new NotSponsoredError({ sender: tx.sender, paymaster })
    if (tx.fee.feeToken !== undefined) throw new UnknownFeeTokenError({ token: tx.fee.feeToken, accepted: ['native'] })
    // txs + 1 > limit, without the sum.
    if (txPerWindow !== undefined && (typeof txs === 'number' ? txs >= txLimitNumber : txs >= txPerWindow)) {
      throw new QuotaExceededError({
        address: tx.sender,
        quota: 'txPerWindow',
        used: BigInt(txs),
        limit: txPerWindow,
        resetsAtBlock: (window + 1n) * windowBlocks,
      })
    }
    // The gas limit is the worst case; usage records what was actually used. gas + gasLimit > limit, compared
    // as gas > limit − gasLimit (remembered per gas limit): the sum would allocate a bigint per transaction.
    if (gasPerWindow === undefined) return
    headroom(tx.gasLimit, gasPerWindow)
    if (typeof gas === 'number' ? gas > headroomNumber : gas > headroomLeft) {
      throw new QuotaExceededError({
        address: tx.sender,
        quota: 'gasPerWindow',
        used: BigInt(gas),
        limit: gasPerWindow,
        resetsAtBlock: (window + 1n) * windowBlocks,
      })
    }
  }
  /** checkQuota on the packed usage: the stored value `v`, and `heldTxs`/`heldGas`. */
  const checkPacked = (tx: TxEnvelope, h: Holder, v: bigint, window: bigint, heldTxs: bigint, heldGas: bigint) => {
    const u = usageOf(h, v, window)
    checkQuota(tx, heldTxs === 0n ? u.txs : u.txs + heldTxs, heldGas === 0n ? u.gas : u.gas + heldGas, window)
  }
  /** checkQuota on the unpacked usage (loaded in `window`), and `heldTxs`/`heldGas`. */
  const checkUnpacked = (tx: TxEnvelope, h: Holder, window: bigint, heldTxs: bigint, heldGas: bigint) => {
    checkQuota(
      tx,
      heldTxs === 0n ? h.uTxs : BigInt(h.uTxs) + heldTxs,
      heldGas === 0n ? h.uGas : BigInt(h.uGas) + heldGas,
      window,
    )
  }

  // gas × gasPrice, remembered for the last two amounts of gas asked about (most transactions of a block share a
  // gas limit, and a transfer's gas used): a bigint product allocates, and this runs twice per transaction.
  let gasA = -1n
  let costA = 0n
  let gasB = -1n
  let costB = 0n
  const priced = (gas: bigint): bigint => {
    if (gas === gasA) return costA
    if (gas === gasB) return costB
    gasB = gasA
    costB = costA
    gasA = gas
    costA = gas * gasPrice
    return costA
  }

  /** The paymaster must hold the worst case (gas limit × price) before anything is debited. */
  const checkFunds = (tx: TxEnvelope, balance: bigint) => {
    const cost = priced(tx.gasLimit)
    if (balance < cost) throw new PaymasterInsufficientFundsError({ paymaster, balance, cost })
    return cost
  }

  // Where the paymaster's payment goes, as a charge's burnt/credits. Object literals, not `{ ...base, … }`:
  // V8 builds a spread-then-extended object several times slower, and this runs once per transaction.
  // The payer is always the paymaster, so a charge depends on the amount and the recipient only: the last one is
  // kept (frozen, so no caller can change it for the next transaction) and handed out again while both match,
  // as they do for every transaction of a block that uses the same gas. Three objects fewer per transaction,
  // which the block's receipts keep alive until its end (each collection in between copies them).
  let lastCharge: FeeCharge | undefined
  let lastChargeTo: Address | undefined
  const settle = (amount: bigint, coinbase: Address): FeeCharge => {
    const to = feeRecipient === 'coinbase' ? coinbase : feeRecipient === 'burn' ? undefined : feeRecipient
    if (lastCharge !== undefined && lastCharge.amount === amount && lastChargeTo === to) return lastCharge
    const charge: FeeCharge =
      amount === 0n || to === undefined
        ? { payer: paymaster, amount, burnt: amount, credits: frozenArray([]), effectiveGasPrice: gasPrice }
        : {
            payer: paymaster,
            amount,
            burnt: 0n,
            credits: frozenArray([Object.freeze({ to, amount })]),
            effectiveGasPrice: gasPrice,
          }
    lastCharge = Object.freeze(charge)
    lastChargeTo = to
    return lastCharge
  }
  // upfront's answer, kept the same way: the paymaster and the worst case (one per gas limit).
  let lastUpfront: UpfrontCharge | undefined
  const upfrontOf = (amount: bigint): UpfrontCharge => {
    if (lastUpfront === undefined || lastUpfront.amount !== amount)
      lastUpfront = Object.freeze({ payer: paymaster, amount })
    return lastUpfront
  }

  /**
   * upfront on the sender's usage (unpacked and loaded in `window`, or the stored value `v`) and the paymaster's
   * `balance`: checks, then holds quota.
   */
  const hold = (
    tx: TxEnvelope,
    ctx: ChargeContext,
    h: Holder,
    window: bigint,
    v: bigint,
    balance: bigint,
  ): UpfrontCharge => {
    if (h.unpacked) checkUnpacked(tx, h, window, h.txs, h.gas)
    else checkPacked(tx, h, v, window, h.txs, h.gas)
    const amount = checkFunds(tx, balance)
    holdQuota(h, 1n, tx.gasLimit)
    held.decide(tx, ctx.store, true)
    return upfrontOf(amount)
  }

  /** charge's usage update: releases upfront's hold, then adds the transaction to the sender's usage. */
  const unholdFor = (tx: TxEnvelope, ctx: ChargeContext, h: Holder): void => {
    if (held.decision(tx, ctx.store) !== undefined) {
      unhold(h, 1n, tx.gasLimit)
      held.forget(tx, ctx.store)
    }
  }
  /** charge on the stored value `v` (packed): the value to write. */
  const record = (tx: TxEnvelope, gasUsed: bigint, ctx: ChargeContext, h: Holder, v: bigint): bigint => {
    const window = windowOf(ctx.blockNumber)
    unholdFor(tx, ctx, h)
    return bump(h, v, window, gasUsed, usageOf(h, v, window).mark)
  }
  /** charge on the unpacked usage (loaded in the block's window): written by observeBlock. */
  const recordUnpacked = (tx: TxEnvelope, gasUsed: bigint, ctx: ChargeContext, h: Holder): void => {
    unholdFor(tx, ctx, h)
    addUsage(h, gasUsed)
  }

  return hideSyncVariants({
    name,
    paymaster,
    // Users bid nothing: a zero base fee lets wallets send `maxFeePerGas: 0`.
    genesisFees: () => ({ baseFeePerGas: 0n }),
    nextBlockFees: () => ({ baseFeePerGas: 0n }),
    async admit(tx, ctx) {
      // The sender's key, derived once per store (a block, or the sequencer's admission batch); no holds here.
      // Found on the transaction when the batch's prefetch (the sequencer's) left it there, as in the block.
      const h = held.holderOf(ctx.store, tx)
      const window = windowOf(ctx.blockNumber)
      if (h.unpacked) {
        if (!usageReady(h, ctx.store, window)) loadUsage(h, await ctx.store.get(h.key), window)
        checkUnpacked(tx, h, window, 0n, 0n)
      } else checkPacked(tx, h, ctx.store.peek?.(h.key) ?? (await ctx.store.get(h.key)), window, 0n, 0n)
      const cached = admissionBalance.of(ctx, paymaster)
      checkFunds(tx, typeof cached === 'bigint' ? cached : await cached)
    },
    admitSync(tx, ctx) {
      // As admit, when the sender's usage and the paymaster's balance are both in the batch's memory.
      const h = held.holderOf(ctx.store, tx)
      const window = windowOf(ctx.blockNumber)
      if (h.unpacked) {
        if (!usageReady(h, ctx.store, window)) return false
        checkUnpacked(tx, h, window, 0n, 0n)
      } else {
        const v = ctx.store.peek?.(h.key)
        if (v === undefined) return false
        checkPacked(tx, h, v, window, 0n, 0n)
      }
      const balance = admissionBalance.peek(ctx, paymaster)
      if (balance === undefined) return false
      checkFunds(tx, balance)
      return true
    },
    upfrontSync(tx, ctx) {
      // Only when the sender's usage and the paymaster's balance are both in memory; else `upfront` reads them.
      const h = held.holderOf(ctx.store, tx)
      const window = windowOf(ctx.blockNumber)
      let v = 0n
      if (h.unpacked) {
        if (!usageReady(h, ctx.store, window)) return undefined
      } else {
        const peeked = ctx.store.peek?.(h.key)
        if (peeked === undefined) return undefined
        v = peeked
      }
      const balance = ctx.peekBalance?.(paymaster)
      if (balance === undefined) return undefined
      return hold(tx, ctx, h, window, v, balance)
    },
    async upfront(tx, ctx) {
      // Earlier transactions of this block have charged, or hold, quota and drained the paymaster: check again.
      const h = held.holderOf(ctx.store, tx)
      const window = windowOf(ctx.blockNumber)
      let v = 0n
      if (h.unpacked) {
        if (!usageReady(h, ctx.store, window)) loadUsage(h, await ctx.store.get(h.key), window)
      } else v = ctx.store.peek?.(h.key) ?? (await ctx.store.get(h.key))
      // The VM's cached balance when it has one: no state read and no await per transaction.
      return hold(tx, ctx, h, window, v, ctx.peekBalance?.(paymaster) ?? (await ctx.balanceOf(paymaster)))
    },
    chargeSync(tx, gasUsed, ctx) {
      // Only on a write-back store (one with `put`), where the usage is kept unpacked until observeBlock.
      const h = held.holderOf(ctx.store, tx)
      if (!h.unpacked || !usageReady(h, ctx.store, windowOf(ctx.blockNumber))) return undefined
      recordUnpacked(tx, gasUsed, ctx, h)
      return settle(priced(gasUsed), ctx.coinbase)
    },
    async charge(tx, gasUsed, ctx) {
      const h = held.holderOf(ctx.store, tx)
      if (h.unpacked) {
        const window = windowOf(ctx.blockNumber)
        if (!usageReady(h, ctx.store, window)) loadUsage(h, await ctx.store.get(h.key), window)
        recordUnpacked(tx, gasUsed, ctx, h)
      } else {
        // A plain store: each charge writes the packed value.
        const next = record(tx, gasUsed, ctx, h, ctx.store.peek?.(h.key) ?? (await ctx.store.get(h.key)))
        if (ctx.store.put) ctx.store.put(h.key, next)
        else await ctx.store.set(h.key, next)
      }
      return settle(priced(gasUsed), ctx.coinbase)
    },
    release(tx, ctx) {
      // The VM excluded `tx` after upfront: its hold no longer counts against the sender's quota.
      if (held.decision(tx, ctx.store) === undefined) return
      unhold(held.holderOf(ctx.store, tx), 1n, tx.gasLimit)
      held.forget(tx, ctx.store)
    },
    // Every sender's usage in one batched read, so upfrontSync and chargeSync find it in memory.
    prefetch: (txs, ctx) => held.prefetch(ctx.store, txs),
    // The block's usage, kept unpacked on a write-back store, into the store: once per sender, before the VM
    // flushes it.
    async observeBlock(input) {
      held.writeUsage(input.store)
    },
    priority: () => 0n,
    quote: () => ({ gasPrice: 0n, maxPriorityFeePerGas: 0n }),
  })
}
