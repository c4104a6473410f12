export { blobGasPrice, type EvmBlockContext } from './blockContext.js'
export { encodeDeposit } from './blockExecutor.js'
export { decodeSignedTx } from './decodeSignedTx.js'
export { type DecodeTxOptions, decodeTx, type UnsignedEvmTx } from './decodeTx.js'
export {
  BlockGasExhaustedError,
  DepositError,
  InvalidAuthorizationListError,
  TransactionFieldOverflowError,
  UnprotectedTransactionError,
} from './errors.js'
export { ethereumFees } from './ethereumFees.js'
export type { AccessListItem, Authorization, EvmTx, EvmTxType, TxSignature } from './evmTx.js'
export { type EvmVm, type EvmVmConfig, evmVm } from './evmVm.js'
export { stateGasStore } from './gasStore.js'
export { HARDFORKS, type Hardfork } from './hardfork.js'
export { calldataFloorGas, intrinsicGas, MAX_INITCODE_SIZE } from './intrinsicGas.js'
export {
  MESSAGE_PASSED_TOPIC,
  MESSAGE_PASSER_CODE,
  type MessagePasserConfig,
  withdrawalFromLog,
} from './messagePasser.js'
export { encodeReceipt, logsHash, receiptsRoot, transactionsRoot, withdrawalsRoot } from './receipts.js'
export { type AddressRecoverer, defaultRecoverer, nativeRecoverer, nobleRecoverer } from './recoverAddress.js'
export { type SenderRecovery, type SenderRecoveryConfig, senderRecovery } from './senderRecovery.js'
export { StateAdapter } from './stateAdapter.js'
