import {
  type Address,
  type GasModel,
  type GasStore,
  PaymasterInsufficientFundsError,
  QuotaExceededError,
  type TxEnvelope,
  UnknownFeeTokenError,
} from '@appchain/core'
import { NotSponsoredError } from './errors.js'
import { addToSplit, configFeeRecipient, type FeeRecipient } from './feeRecipient.js'
import { reservations } from './reservations.js'
import { configAddress, configBigint, configNamespace } from './validateConfig.js'
import { decodeUsage, encodeUsage, usageKey } from './windowUsage.js'

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

const NO_HOLDS = { txs: 0n, gas: 0n } as const

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

  const held = reservations<bigint>()

  /**
   * Every check that must pass before the paymaster is debited; reads the store and the paymaster's balance.
   * `holds` are what earlier transactions of the same block execution hold (none at admission).
   */
  const check = async (
    tx: TxEnvelope,
    blockNumber: bigint,
    store: GasStore,
    balanceOf: (a: Address) => Promise<bigint>,
    holds: { readonly txs: bigint; readonly gas: bigint },
  ) => {
    if (!allowed(tx)) throw new NotSponsoredError({ sender: tx.sender, paymaster })
    if (tx.fee.feeToken !== undefined) throw new UnknownFeeTokenError({ token: tx.fee.feeToken, accepted: ['native'] })
    const window = blockNumber / windowBlocks
    const u = decodeUsage(await store.get(usageKey(namespace, tx.sender)), window)
    const txs = u.txs + holds.txs
    if (txPerWindow !== undefined && txs + 1n > txPerWindow) {
      throw new QuotaExceededError({
        address: tx.sender,
        quota: 'txPerWindow',
        used: txs,
        limit: txPerWindow,
        resetsAtBlock: (window + 1n) * windowBlocks,
      })
    }
    // The gas limit is the worst case; usage records what was actually used.
    const gas = u.gas + holds.gas
    if (gasPerWindow !== undefined && gas + tx.gasLimit > gasPerWindow) {
      throw new QuotaExceededError({
        address: tx.sender,
        quota: 'gasPerWindow',
        used: gas,
        limit: gasPerWindow,
        resetsAtBlock: (window + 1n) * windowBlocks,
      })
    }
    const cost = tx.gasLimit * gasPrice
    const balance = await balanceOf(paymaster)
    if (balance < cost) throw new PaymasterInsufficientFundsError({ paymaster, balance, cost })
    return cost
  }

  return {
    name,
    paymaster,
    // Users bid nothing: a zero base fee lets wallets send `maxFeePerGas: 0`.
    genesisFees: () => ({ baseFeePerGas: 0n }),
    nextBlockFees: () => ({ baseFeePerGas: 0n }),
    async admit(tx, ctx) {
      await check(tx, ctx.blockNumber, ctx.store, ctx.balanceOf, NO_HOLDS)
    },
    async upfront(tx, ctx) {
      // Earlier transactions of this block have charged, or hold, quota and drained the paymaster: check again.
      const key = usageKey(namespace, tx.sender)
      const amount = await check(tx, ctx.blockNumber, ctx.store, ctx.balanceOf, held.held(ctx.store, key))
      held.hold(ctx.store, key, 1n, tx.gasLimit)
      held.decide(tx, ctx.store, tx.gasLimit)
      return { payer: paymaster, amount }
    },
    async charge(tx, gasUsed, ctx) {
      const window = ctx.blockNumber / windowBlocks
      const key = usageKey(namespace, tx.sender)
      if (held.decision(tx, ctx.store) !== undefined) {
        held.release(ctx.store, key, 1n, tx.gasLimit)
        held.forget(tx)
      }
      const u = decodeUsage(await ctx.store.get(key), window)
      await ctx.store.set(key, encodeUsage(window, { txs: u.txs + 1n, gas: u.gas + gasUsed, mark: u.mark }))
      const amount = gasUsed * gasPrice
      const split = { burnt: 0n, credits: [] as { to: Address; amount: bigint }[] }
      addToSplit(split, feeRecipient, amount, ctx.coinbase)
      return { payer: paymaster, amount, ...split, effectiveGasPrice: gasPrice }
    },
    priority: () => 0n,
    quote: () => ({ gasPrice: 0n, maxPriorityFeePerGas: 0n }),
  }
}
