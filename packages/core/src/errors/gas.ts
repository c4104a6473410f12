import { BaseError } from './base.js'

/** The transaction offers less than the active gas model's minimum price. */
export class FeeTooLowError extends BaseError {
  override name = 'FeeTooLowError'
  constructor(args: { offered: bigint; required: bigint; model: string }) {
    super(`transaction underpriced: offered ${args.offered}, ${args.model} requires at least ${args.required}`, {
      data: args,
    })
  }
}

export class QuotaExceededError extends BaseError {
  override name = 'QuotaExceededError'
  constructor(args: { address: string; quota: string; used: bigint; limit: bigint; resetsAtBlock: bigint }) {
    super(`quota exceeded: ${args.address} used ${args.used} of ${args.limit} ${args.quota} this window`, {
      data: args,
    })
  }
}

export class UnknownFeeTokenError extends BaseError {
  override name = 'UnknownFeeTokenError'
  constructor(args: { token: string; accepted: string[] }) {
    super(`unknown fee token ${args.token}`, { data: args, metaMessages: [`Accepted: ${args.accepted.join(', ')}`] })
  }
}

export class PaymasterInsufficientFundsError extends BaseError {
  override name = 'PaymasterInsufficientFundsError'
  constructor(args: { paymaster: string; balance: bigint; cost: bigint }) {
    super(`paymaster ${args.paymaster} cannot cover the fee: have ${args.balance} want ${args.cost}`, { data: args })
  }
}

/** A gas model built with impossible settings (negative numbers, a zero denominator). */
export class GasModelConfigError extends BaseError {
  override name = 'GasModelConfigError'
  constructor(args: { model: string; field: string; reason: string }) {
    super(`Invalid ${args.model} config: ${args.field} ${args.reason}`, { data: args })
  }
}
