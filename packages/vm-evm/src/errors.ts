import { BaseError } from '@appchain/core'

/**
 * A legacy transaction signed without a chain id (pre-EIP-155), refused when `allowUnprotected` is false.
 *
 * @example
 * ```ts
 * throw new UnprotectedTransactionError({ hash: '0x..' })
 * ```
 */
export class UnprotectedTransactionError extends BaseError {
  override name = 'UnprotectedTransactionError'
  constructor(args: { hash: string }) {
    super(`only replay-protected (EIP-155) transactions allowed: tx ${args.hash}`, { data: args })
  }
}

/**
 * A transaction field above its limit (nonce or gas limit above 2^64 - 1, a 256-bit value overflowed,
 * gas limit × fee cap above 2^256).
 *
 * @example
 * ```ts
 * throw new TransactionFieldOverflowError({ field: 'nonce', value: 2n ** 64n, max: 2n ** 64n - 2n })
 * ```
 */
export class TransactionFieldOverflowError extends BaseError {
  override name = 'TransactionFieldOverflowError'
  constructor(args: { field: string; value: bigint; max: bigint }) {
    super(`${args.field} ${args.value} exceeds the maximum ${args.max}`, { data: args })
  }
}

/**
 * The block's gas is used up: a transaction's gas limit exceeds what remains of the block gas limit.
 *
 * @example
 * ```ts
 * throw new BlockGasExhaustedError({ gasLimit: 21000n, remaining: 100n })
 * ```
 */
export class BlockGasExhaustedError extends BaseError {
  override name = 'BlockGasExhaustedError'
  constructor(args: { gasLimit: bigint; remaining: bigint }) {
    super(`gas limit reached: tx gas ${args.gasLimit} > remaining block gas ${args.remaining}`, { data: args })
  }
}

/**
 * A deposit that cannot execute (its gas limit exceeds what remains of the block).
 *
 * @example
 * ```ts
 * throw new DepositError({ sourceHash: '0x..', reason: 'gas limit above block limit' })
 * ```
 */
export class DepositError extends BaseError {
  override name = 'DepositError'
  constructor(args: { sourceHash: string; reason: string }) {
    super(`deposit ${args.sourceHash} refused: ${args.reason}`, { data: args })
  }
}

/**
 * An EIP-7702 set-code transaction with an empty authorization list, or one without a destination.
 *
 * @example
 * ```ts
 * throw new InvalidAuthorizationListError({ reason: 'empty authorization list' })
 * ```
 */
export class InvalidAuthorizationListError extends BaseError {
  override name = 'InvalidAuthorizationListError'
  constructor(args: { reason: string }) {
    super(`invalid EIP-7702 transaction: ${args.reason}`, { data: args })
  }
}
