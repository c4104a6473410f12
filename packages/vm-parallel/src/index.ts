export type { BatchResult, BatchTask, BatchTxResult } from './batch.js'
export {
  BalanceAccessError,
  ForbiddenGlobalError,
  InvalidArgumentsError,
  MethodNotFoundError,
  ProgramContractError,
  ProgramDefinitionError,
  ProgramNotFoundError,
  ProgramRevertedError,
  RecordTooLargeError,
} from './errors.js'
export { derivationKey, deriveAddress, type ExecutionMode } from './executor.js'
export { type DecodedTx, decodeParallelTx, type ParallelTx } from './parallelTx.js'
export { type ParallelStats, type ParallelVm, type ParallelVmConfig, parallelVm } from './parallelVm.js'
export {
  type ArgsSchema,
  type ArgType,
  type ArgValue,
  type Capability,
  type ConfigValue,
  defineProgram,
  type MethodDefinition,
  type MethodGas,
  type Program,
  type ProgramContext,
  type ProgramDefinition,
  type ProgramSpec,
  programAddress,
  programSpec,
} from './program.js'
export { cellAddress, type GameConfig, game, leaderboardAddress, leaderboardOf, resourceAt } from './programs/game.js'
export { type NativeTokenConfig, nativeToken } from './programs/nativeToken.js'
export { decodeRecord, encodeRecord, recordSlot } from './record.js'
export { recoverSigner, recoveryBackend } from './recover.js'
export { createRegistry, type Registry } from './registry.js'
export { createRpc, InvalidRpcParamsError, readRecord } from './rpc.js'
export { createSandbox, FORBIDDEN_GLOBALS } from './sandbox.js'
export { assignGroups, lockGroups } from './scheduler.js'
export {
  decodeTransaction,
  encodeTransaction,
  intrinsicGas,
  MAX_DECLARED_ACCOUNTS,
  MAX_TX_SIZE,
  type MethodSchema,
  PARALLEL_TX_TYPE,
  type ParallelTxRequest,
  signingDigest,
  type TxArgType,
  type TxArgValue,
  typedDataOf,
} from './tx.js'
