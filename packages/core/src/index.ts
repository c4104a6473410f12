export { type BlockGasStore, blockGasStore } from './blockGasStore.js'
export { addToBloom, bloomMayContain, createBloom, logsBloom, orBloom } from './bloom.js'
export {
  bigintToBytes,
  bytesToBigint,
  bytesToHex,
  compareBytes,
  concatBytes,
  equalBytes,
  hexToBytes,
} from './bytes.js'
export { EMPTY_TRIE_ROOT, KECCAK_EMPTY, PREDEPLOYS, ZERO_ADDRESS, ZERO_HASH } from './constants.js'
export { type LevelDbConfig, levelDb } from './db/levelDb.js'
export { memoryDb } from './db/memoryDb.js'
export {
  AlreadyKnownError,
  BaseError,
  type BaseErrorParameters,
  BlockNotFoundError,
  ChainIdMismatchError,
  DaBlobTooLargeError,
  DaFatalError,
  DaNotFoundError,
  DaRetryableError,
  DbClosedError,
  DbError,
  ExecutionRevertedError,
  FeeCapTooLowError,
  FeeTooLowError,
  GasLimitExceedsBlockLimitError,
  GasModelConfigError,
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
} from './errors/index.js'
export { gasStoreSlot, stateGasStore } from './gasStore.js'
export { keccak256, keccak256Hex } from './hash.js'
export { encodeHeader, hashHeader, headerExtraData } from './header.js'
export type { DaAdapter, DaRef } from './interfaces/da.js'
export type { Db, DbOp, DbRange } from './interfaces/db.js'
export type {
  AdmissionContext,
  ChargeContext,
  FeeCharge,
  FeeQuote,
  GasModel,
  GasStore,
  HeaderFees,
  PortableGasModel,
  UpfrontCharge,
} from './interfaces/gasModel.js'
export type { OrderingPolicy, PendingView } from './interfaces/ordering.js'
export type { AccountProof, StateDb, StateReader } from './interfaces/state.js'
export type { BlockBuilder, BlockExecution, CallRequest, CallResult, RpcHandler, Vm } from './interfaces/vm.js'
export { loadNativeSecp256k1, type NativeSecp256k1 } from './nativeSecp256k1.js'
export { type RlpInput, rlpDecode, rlpEncode } from './rlp.js'
export type {
  AccessSet,
  Account,
  Address,
  Block,
  BlockContext,
  BlockFees,
  BlockHeader,
  Deposit,
  FeeBid,
  GenesisAlloc,
  Hex,
  L1Origin,
  Log,
  Receipt,
  TxEnvelope,
  Withdrawal,
} from './types.js'
