import type { Address, BlockFees, TxEnvelope } from '../types.js'

/** What the gas model sees of the parent block when computing the next block's fees. */
export interface HeaderFees {
  number: bigint
  gasLimit: bigint
  gasUsed: bigint
  baseFeePerGas: bigint
}

/**
 * Gas-model state that must be deterministic and survive restarts (quota windows, demand per hot account).
 * The VM backs it with storage of the `PREDEPLOYS.gasStore` account, so it is part of the state root.
 * Keys are short strings chosen by the model; values are unsigned 256-bit integers.
 */
export interface GasStore {
  get(key: string): Promise<bigint>
  set(key: string, value: bigint): Promise<void>
  /**
   * The value of `key` when the store already holds it in memory (a block's cache), without a round trip;
   * undefined when only `get` can tell. Optional: lets a model skip an await per cached read.
   */
  peek?(key: string): bigint | undefined
  /**
   * `set` for a store that only writes memory (a block's write-back cache): no promise, no await. Optional;
   * throws the same `RangeError` as `set` for a value out of range.
   */
  put?(key: string, value: bigint): void
  /**
   * `set` for many keys at once, in the order given (a block's write-back flush): one call instead of one
   * promise per key. Optional; refuses a value out of range with the same `RangeError` as `set`, before
   * writing any.
   */
  setMany?(entries: readonly (readonly [key: string, value: bigint])[]): Promise<void>
  /**
   * `get` for many keys at once, in the order given: one batched read of the backing state instead of one
   * promise chain per key. Optional; same values as `get` for each key. On a block's cache it also loads the
   * keys, so later `peek`s answer from memory (what a model's `prefetch` uses it for).
   */
  getMany?(keys: readonly string[]): Promise<bigint[]>
}

export interface AdmissionContext {
  chainId: bigint
  /** The block the transaction would go into next. */
  blockNumber: bigint
  fees: BlockFees
  /** Native balance of an account in the latest state (a paymaster's funds). */
  balanceOf(address: Address): Promise<bigint>
  store: GasStore
}

export interface ChargeContext {
  blockNumber: bigint
  coinbase: Address
  fees: BlockFees
  /** Native balance in the state as execution left it. */
  balanceOf(address: Address): Promise<bigint>
  /**
   * The same balance as `balanceOf`, when the VM knows it without a state read (its per-block account cache);
   * undefined when only `balanceOf` can tell. Optional: lets a model skip an await per transaction (a
   * paymaster's funds check). Never a stale value: a VM that cannot keep it current leaves it out.
   */
  peekBalance?(address: Address): bigint | undefined
  store: GasStore
}

/** What must be held before execution: debited up front, the difference refunded by `charge`. */
export interface UpfrontCharge {
  payer: Address
  amount: bigint
  /** Fee token; native when undefined. */
  token?: Address | undefined
  /**
   * `amount` is all the payer needs: a VM that applies Ethereum's funds rule (a paying sender must hold
   * gasLimit × maxFeePerGas) skips it. For a free tier, where the bid is never charged.
   */
  exact?: boolean | undefined
}

/** The final fee of one transaction: `amount` = `burnt` + sum of `credits`. */
export interface FeeCharge {
  payer: Address
  amount: bigint
  burnt: bigint
  credits: { to: Address; amount: bigint }[]
  token?: Address | undefined
  /** Price per unit of gas as receipts report it. */
  effectiveGasPrice: bigint
  /** The DA part of `amount`, where the model passes it through. */
  l1Fee?: bigint | undefined
}

/** A fee quote as JSON-RPC serves it (`eth_gasPrice`, `eth_maxPriorityFeePerGas`). */
export interface FeeQuote {
  gasPrice: bigint
  maxPriorityFeePerGas: bigint
}

/**
 * How another thread builds the same model: `(await import(module))[factory](config)` (awaited: a factory may be
 * async, e.g. to build a wrapped model from its own spec). `config` must survive a structured clone (bigints,
 * strings, plain objects). Only for models whose block accounting needs no `GasStore` (stateless), so that
 * independent copies in several threads charge exactly as the one on the main thread.
 */
export interface PortableGasModel {
  /** An import specifier or file URL the other thread can import (a model's own `import.meta.url`). */
  module: string
  /** The export of `module` to call with `config`. */
  factory: string
  config: unknown
}

/**
 * A fee model plugin. The VM asks it for the block's fees, for the up-front charge before execution and
 * for the final charge after; the mempool asks it to admit transactions and for their priority.
 * Errors at admission are specific `BaseError`s (`FeeTooLowError`, `QuotaExceededError`, ...);
 * a model must never fail in `charge` for a transaction it admitted and `upfront` accepted.
 */
export interface GasModel {
  readonly name: string
  /**
   * Set by stateless models that another thread can rebuild (a parallel VM's workers charge inside their
   * account shards). Optional: a VM without it charges on the calling thread.
   */
  readonly portable?: PortableGasModel | undefined
  /** The next block's fees from its parent (the EIP-1559 base fee, for example). */
  nextBlockFees(parent: HeaderFees): BlockFees
  /** Genesis fees (no parent). */
  genesisFees(): BlockFees
  /** Stateless and stateful admission checks; throws a typed error to refuse. */
  admit(tx: TxEnvelope, ctx: AdmissionContext): Promise<void>
  /**
   * `admit` without a promise, when the model can decide from memory (the admission store's `peek`, a balance
   * already read for the batch): true when `tx` is admitted, the same error thrown when it is refused, and false,
   * with nothing decided, when it needs a read only `admit` can make (then call `admit`). Optional, non-enumerable
   * as `upfrontSync` is: a mempool calls it first and saves a promise and an await per transaction.
   */
  admitSync?(tx: TxEnvelope, ctx: AdmissionContext): boolean
  /**
   * The amount to hold before execution and who holds it. The answer may be a shared, frozen object (a model
   * hands the same one to like transactions): callers read it and copy what they keep, never change it.
   */
  upfront(tx: TxEnvelope, ctx: ChargeContext): Promise<UpfrontCharge>
  /**
   * The final fee once `gasUsed` is known; may update the store (quota usage). As with `upfront`, the charge and
   * its `credits` may be shared and frozen: read only.
   */
  charge(tx: TxEnvelope, gasUsed: bigint, ctx: ChargeContext): Promise<FeeCharge>
  /**
   * `upfront` without a promise, when the model can answer from memory (the store's `peek`, the context's
   * `peekBalance`): the same result, the same errors thrown, the same effects. Undefined, with nothing done,
   * when it needs a read only `upfront` can make. Optional: a VM calls it first and falls back to `upfront`,
   * saving a promise and an await per transaction. Define it non-enumerable (as `@appchain/gas` does), so a
   * wrapper written as `{ ...model, upfront: custom }` drops it rather than keeping one that skips `custom`.
   */
  upfrontSync?(tx: TxEnvelope, ctx: ChargeContext): UpfrontCharge | undefined
  /** `charge` without a promise, on the same terms as `upfrontSync`. Optional. */
  chargeSync?(tx: TxEnvelope, gasUsed: bigint, ctx: ChargeContext): FeeCharge | undefined
  /**
   * The VM excluded `tx` after `upfront` (funds, fee token, a limit checked later): drop what `upfront` holds
   * for it in memory (a quota reservation), so the sender's later transactions of the block are not refused
   * for it. Optional; a VM calls it at most once per `upfront`, never after `charge`. The VM drops the
   * transaction's store writes itself.
   */
  release?(tx: TxEnvelope, ctx: ChargeContext): void
  /** What ordering policies sort by (the effective tip per gas, for EIP-1559). */
  priority(tx: TxEnvelope, fees: BlockFees): bigint
  /** Suggested prices for wallets. */
  quote(fees: BlockFees): FeeQuote
  /**
   * Loads into the store's memory (its `getMany`) every key the model will read for `txs` in block
   * `blockNumber`, in one batched read, so that `upfrontSync`/`chargeSync` then answer without an await.
   * Reads only: no result, error or store value changes whether or not (or how often) a VM calls it. Optional;
   * a VM calls it once per batch of transactions before their `upfront`s, and a model without it, or a store
   * without `getMany`, reads each key on first use as before.
   */
  prefetch?(txs: readonly TxEnvelope[], ctx: { blockNumber: bigint; store: GasStore }): Promise<void>
  /**
   * Called once per executed block, after the last `charge` and before the block's store is flushed, with the block's
   * included transactions and the **same** `GasStore` the block's `upfront`/`charge` calls were given (models that keep
   * a block's usage in memory, as `sponsored` and `rateLimited` do, write it through that store here; `localFeeMarkets`
   * records demand). Optional.
   */
  observeBlock?(input: { blockNumber: bigint; txs: readonly TxEnvelope[]; store: GasStore }): Promise<void>
}
