export { BaseError, type BaseErrorParameters } from './base.js'
export { DaBlobTooLargeError, DaFatalError, DaNotFoundError, DaRetryableError } from './da.js'
export { DbClosedError, DbError } from './db.js'
export { BlockNotFoundError, ExecutionRevertedError, UndeclaredAccessError } from './execution.js'
export {
  FeeTooLowError,
  GasModelConfigError,
  PaymasterInsufficientFundsError,
  QuotaExceededError,
  UnknownFeeTokenError,
} from './gas.js'
export { AlreadyKnownError, MempoolFullError, ReplacementUnderpricedError, SenderQueueFullError } from './mempool.js'
export {
  ChainIdMismatchError,
  FeeCapTooLowError,
  GasLimitExceedsBlockLimitError,
  InitCodeTooLargeError,
  InsufficientFundsError,
  IntrinsicGasTooLowError,
  InvalidSignatureError,
  InvalidTransactionEncodingError,
  NonceTooHighError,
  NonceTooLowError,
  SenderNotEoaError,
  TipAboveFeeCapError,
  TransactionTooLargeError,
  UnsupportedTransactionTypeError,
} from './tx.js'
