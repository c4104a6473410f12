import { BaseError } from './base.js'

/** Bytes that do not decode as a transaction of this VM (bad RLP, unknown type, wrong field count). */
export class InvalidTransactionEncodingError extends BaseError {
  override name = 'InvalidTransactionEncodingError'
  constructor(reason: string, args: { cause?: unknown } = {}) {
    super(`Invalid transaction encoding: ${reason}`, { cause: args.cause, data: { reason } })
  }
}

/** A transaction type this chain does not accept (for example EIP-4844 blob transactions on an L2). */
export class UnsupportedTransactionTypeError extends BaseError {
  override name = 'UnsupportedTransactionTypeError'
  constructor(type: number, reason: string) {
    super(`Transaction type ${type} is not supported: ${reason}`, { data: { type, reason } })
  }
}

/** The signature does not verify or cannot be recovered (high s, bad v, point not on curve). */
export class InvalidSignatureError extends BaseError {
  override name = 'InvalidSignatureError'
  constructor(reason: string) {
    super(`Invalid signature: ${reason}`, { data: { reason } })
  }
}

export class ChainIdMismatchError extends BaseError {
  override name = 'ChainIdMismatchError'
  constructor(args: { expected: bigint; got: bigint | undefined }) {
    super(`Transaction chain id ${args.got ?? 'none'} does not match chain id ${args.expected}.`, {
      data: { expected: args.expected, got: args.got },
    })
  }
}

export class TransactionTooLargeError extends BaseError {
  override name = 'TransactionTooLargeError'
  constructor(args: { size: number; max: number }) {
    super(`Transaction of ${args.size} bytes exceeds the limit of ${args.max} bytes.`, { data: args })
  }
}

/** geth's message `nonce too low` is kept in the short message: tools match on it. */
export class NonceTooLowError extends BaseError {
  override name = 'NonceTooLowError'
  constructor(args: { address: string; nonce: bigint; expected: bigint }) {
    super(`nonce too low: address ${args.address}, tx: ${args.nonce} state: ${args.expected}`, { data: args })
  }
}

export class NonceTooHighError extends BaseError {
  override name = 'NonceTooHighError'
  constructor(args: { address: string; nonce: bigint; expected: bigint }) {
    super(`nonce too high: address ${args.address}, tx: ${args.nonce} state: ${args.expected}`, { data: args })
  }
}

/** geth's message `insufficient funds for gas * price + value` is kept: tools match on it. */
export class InsufficientFundsError extends BaseError {
  override name = 'InsufficientFundsError'
  constructor(args: { address: string; balance: bigint; cost: bigint }) {
    super(
      `insufficient funds for gas * price + value: address ${args.address} have ${args.balance} want ${args.cost}`,
      {
        data: args,
      },
    )
  }
}

export class IntrinsicGasTooLowError extends BaseError {
  override name = 'IntrinsicGasTooLowError'
  constructor(args: { gasLimit: bigint; intrinsicGas: bigint }) {
    super(`intrinsic gas too low: have ${args.gasLimit}, want ${args.intrinsicGas}`, { data: args })
  }
}

export class GasLimitExceedsBlockLimitError extends BaseError {
  override name = 'GasLimitExceedsBlockLimitError'
  constructor(args: { gasLimit: bigint; blockGasLimit: bigint }) {
    super(`exceeds block gas limit: tx gas ${args.gasLimit} > block gas limit ${args.blockGasLimit}`, { data: args })
  }
}

export class InitCodeTooLargeError extends BaseError {
  override name = 'InitCodeTooLargeError'
  constructor(args: { size: number; max: number }) {
    super(`max initcode size exceeded: code size ${args.size} limit ${args.max}`, { data: args })
  }
}

export class FeeCapTooLowError extends BaseError {
  override name = 'FeeCapTooLowError'
  constructor(args: { maxFeePerGas: bigint; baseFeePerGas: bigint }) {
    super(`max fee per gas less than block base fee: maxFeePerGas ${args.maxFeePerGas} baseFee ${args.baseFeePerGas}`, {
      data: args,
    })
  }
}

export class TipAboveFeeCapError extends BaseError {
  override name = 'TipAboveFeeCapError'
  constructor(args: { maxPriorityFeePerGas: bigint; maxFeePerGas: bigint }) {
    super(
      `max priority fee per gas higher than max fee per gas: maxPriorityFeePerGas ${args.maxPriorityFeePerGas} maxFeePerGas ${args.maxFeePerGas}`,
      { data: args },
    )
  }
}

/** The sender has code (EIP-3607), so it cannot originate transactions. */
export class SenderNotEoaError extends BaseError {
  override name = 'SenderNotEoaError'
  constructor(args: { address: string }) {
    super(`sender not an eoa: address ${args.address}`, { data: args })
  }
}
