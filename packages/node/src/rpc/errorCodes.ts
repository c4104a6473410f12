import {
  AlreadyKnownError,
  BaseError,
  BlockNotFoundError,
  ChainIdMismatchError,
  DbClosedError,
  ExecutionRevertedError,
  FeeCapTooLowError,
  FeeTooLowError,
  GasLimitExceedsBlockLimitError,
  InitCodeTooLargeError,
  InsufficientFundsError,
  IntrinsicGasTooLowError,
  InvalidSignatureError,
  InvalidTransactionEncodingError,
  MempoolFullError,
  NonceTooHighError,
  NonceTooLowError,
  PaymasterInsufficientFundsError,
  QuotaExceededError,
  ReplacementUnderpricedError,
  SenderNotEoaError,
  SenderQueueFullError,
  TipAboveFeeCapError,
  TransactionTooLargeError,
  UndeclaredAccessError,
  UnknownFeeTokenError,
  UnsupportedTransactionTypeError,
} from '@appchain/core'
import {
  FilterNotFoundError,
  NodeStoppedError,
  RpcInvalidParamsError,
  RpcInvalidRequestError,
  RpcLimitExceededError,
  RpcMethodNotFoundError,
  RpcParseError,
} from '../errors.js'

/** EIP-1474 error codes (plus geth's `3` for reverted calls). */
export const RpcErrorCode = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internal: -32603,
  /** "Invalid input": what geth answers for every refused transaction (tools match on the message). */
  invalidInput: -32000,
  resourceNotFound: -32001,
  resourceUnavailable: -32002,
  transactionRejected: -32003,
  methodNotSupported: -32004,
  limitExceeded: -32005,
  /** geth's code for `execution reverted`, with the revert data in `error.data`. */
  executionReverted: 3,
} as const

// biome-ignore lint/suspicious/noExplicitAny: constructors of any arity
type ErrorClass = abstract new (...args: any[]) => BaseError

/**
 * THE table from error class to JSON-RPC code; the first matching row wins (subclasses before parents).
 * Transaction refusals use -32000 with geth's messages, as geth does, because viem, ethers and cast match
 * on those messages.
 */
export const errorCodeTable: readonly (readonly [ErrorClass, number])[] = [
  [RpcParseError, RpcErrorCode.parseError],
  [RpcInvalidRequestError, RpcErrorCode.invalidRequest],
  [RpcMethodNotFoundError, RpcErrorCode.methodNotFound],
  [RpcInvalidParamsError, RpcErrorCode.invalidParams],
  [RpcLimitExceededError, RpcErrorCode.limitExceeded],
  [ExecutionRevertedError, RpcErrorCode.executionReverted],
  [NonceTooLowError, RpcErrorCode.invalidInput],
  [NonceTooHighError, RpcErrorCode.invalidInput],
  [InsufficientFundsError, RpcErrorCode.invalidInput],
  [ReplacementUnderpricedError, RpcErrorCode.invalidInput],
  [AlreadyKnownError, RpcErrorCode.invalidInput],
  [MempoolFullError, RpcErrorCode.invalidInput],
  [SenderQueueFullError, RpcErrorCode.invalidInput],
  [FeeTooLowError, RpcErrorCode.invalidInput],
  [FeeCapTooLowError, RpcErrorCode.invalidInput],
  [TipAboveFeeCapError, RpcErrorCode.invalidInput],
  [IntrinsicGasTooLowError, RpcErrorCode.invalidInput],
  [GasLimitExceedsBlockLimitError, RpcErrorCode.invalidInput],
  [InitCodeTooLargeError, RpcErrorCode.invalidInput],
  [SenderNotEoaError, RpcErrorCode.invalidInput],
  [QuotaExceededError, RpcErrorCode.invalidInput],
  [PaymasterInsufficientFundsError, RpcErrorCode.invalidInput],
  [UnknownFeeTokenError, RpcErrorCode.invalidInput],
  [InvalidTransactionEncodingError, RpcErrorCode.invalidInput],
  [InvalidSignatureError, RpcErrorCode.invalidInput],
  [ChainIdMismatchError, RpcErrorCode.invalidInput],
  [UnsupportedTransactionTypeError, RpcErrorCode.invalidInput],
  [TransactionTooLargeError, RpcErrorCode.invalidInput],
  [UndeclaredAccessError, RpcErrorCode.invalidInput],
  [FilterNotFoundError, RpcErrorCode.invalidInput],
  [BlockNotFoundError, RpcErrorCode.resourceNotFound],
  [NodeStoppedError, RpcErrorCode.resourceUnavailable],
  [DbClosedError, RpcErrorCode.resourceUnavailable],
]

/** A JSON-RPC error object. */
export interface RpcErrorObject {
  code: number
  message: string
  data?: unknown
}

/** JSON-safe copy of an error's data: bigints as 0x quantities. */
function jsonData(value: unknown): unknown {
  if (typeof value === 'bigint') return `0x${value.toString(16)}`
  if (Array.isArray(value)) return value.map(jsonData)
  if (value && typeof value === 'object' && !(value instanceof Error)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonData(v)]))
  }
  return value
}

/**
 * The JSON-RPC error object for anything a handler threw: typed errors by the table, argument guards
 * (TypeError/RangeError) as invalid params, everything else as an internal error (details logged, not sent).
 *
 * @example
 * ```ts
 * toRpcError(new NonceTooLowError({ address, nonce: 0n, expected: 1n })) // { code: -32000, message: 'nonce too low: ...' }
 * ```
 */
export function toRpcError(err: unknown): RpcErrorObject {
  if (err instanceof ExecutionRevertedError) {
    return { code: RpcErrorCode.executionReverted, message: err.shortMessage, data: err.revertData }
  }
  if (err instanceof BaseError) {
    const row = errorCodeTable.find(([cls]) => err instanceof cls)
    const code = row ? row[1] : RpcErrorCode.invalidInput
    return err.data === undefined
      ? { code, message: err.shortMessage }
      : { code, message: err.shortMessage, data: jsonData(err.data) }
  }
  if (err instanceof TypeError || err instanceof RangeError) {
    return { code: RpcErrorCode.invalidParams, message: `invalid argument: ${err.message}` }
  }
  return { code: RpcErrorCode.internal, message: 'internal error' }
}
