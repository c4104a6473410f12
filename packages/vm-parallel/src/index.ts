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
export { type ExecutionMode, derivationKey, deriveAddress } from './executor.js'
export { type ParallelStats, type ParallelVm, type ParallelVmConfig, parallelVm } from './parallelVm.js'
export { type DecodedTx, type ParallelTx, decodeParallelTx } from './parallelTx.js'
export {
  type ArgType,
  type ArgValue,
  type ArgsSchema,
  type Capability,
  type ConfigValue,
  type MethodDefinition,
  type MethodGas,
  type Program,
  type ProgramContext,
  type ProgramDefinition,
  type ProgramSpec,
  defineProgram,
  programAddress,
  programSpec,
} from './program.js'
export { type GameConfig, cellAddress, game, leaderboardAddress, leaderboardOf, resourceAt } from './programs/game.js'
export { type NativeTokenConfig, nativeToken } from './programs/nativeToken.js'
export { decodeRecord, encodeRecord, recordSlot } from './record.js'
export { recoverSigner, recoveryBackend } from './recover.js'
export { type Registry, createRegistry } from './registry.js'
export { InvalidRpcParamsError, createRpc, readRecord } from './rpc.js'
export { FORBIDDEN_GLOBALS, createSandbox } from './sandbox.js'
export { assignGroups, lockGroups } from './scheduler.js'
export {
  MAX_DECLARED_ACCOUNTS,
  MAX_TX_SIZE,
  type MethodSchema,
  PARALLEL_TX_TYPE,
  type ParallelTxRequest,
  type TxArgType,
  type TxArgValue,
  decodeTransaction,
  encodeTransaction,
  intrinsicGas,
  signingDigest,
  typedDataOf,
} from './tx.js'
