import type { Common } from '@ethereumjs/common'
import { type EVM, EVMError } from '@ethereumjs/evm'
import { type GasRunState, type SyncGasHandler, syncGasHandlers } from './syncGas.js'
import { type SstoreGas, type SstoreRunState, type StorageWords, syncSstoreGas } from './syncSstore.js'

interface OpcodeInfo {
  code: number
  feeBigInt: bigint
  dynamicGas: boolean
  isAsync: boolean
  isInvalid: boolean
}

interface OpcodeEntry {
  opcodeInfo: OpcodeInfo
  opHandler: (runState: RunState, common: Common) => unknown
}

interface RunState extends GasRunState {
  programCounter: number
  code: Uint8Array
  gasLeft: bigint
  validJumps: Uint8Array
  cachedPushes: Record<number, bigint>
  shouldDoJumpAnalysis: boolean
}

/** The members of `@ethereumjs/evm`'s (unexported) Interpreter the run loop uses. */
interface InterpreterLike {
  _evm: EVM & { DEBUG: boolean; _optsCached: { profiler?: { enabled?: boolean } } }
  _runState: RunState
  common: Common
  run(code: Uint8Array, opts?: { pc?: number }): Promise<{ runState: RunState; exceptionError?: EVMError }>
  runStep(entry: OpcodeEntry): Promise<void>
  _getValidJumpDestinations(code: Uint8Array): {
    jumps: Uint8Array
    pushes: Record<number, bigint>
    opcodesCached: OpcodeEntry[]
  }
}

/** EIPs whose extra per-step work the fast loop does not do: with any of them active it is not installed. */
const UNSUPPORTED_EIPS = [3540, 6800, 7864, 7928, 8037]

interface FastGas {
  handlers: (SyncGasHandler | undefined)[]
  sstore: SstoreGas | undefined
  /** Each opcode's static gas as a number (Number(bigint) is a runtime call: once per EVM, not per step). */
  fees: Float64Array
}

const fast = new WeakMap<object, FastGas>()

const MAX_NUMERIC_GAS = BigInt(Number.MAX_SAFE_INTEGER)

/**
 * Opcodes whose handler and (synchronous, see syncGas/syncSstore) gas rule neither read nor change the
 * gas left: arithmetic, comparison and bit ops, KECCAK256, environment and block fields, calldata, code
 * and return-data copies, memory, SLOAD/SSTORE, jumps, PUSH/DUP/SWAP, LOG, RETURN, REVERT, INVALID. The
 * run loop counts their gas on a number; every other opcode (GAS, calls, creates, account reads, ...)
 * runs on the interpreter's bigint counter.
 */
const NUMERIC_OPS = new Uint8Array(256)
for (const [from, to] of [
  [0x00, 0x0b],
  [0x10, 0x1d],
  [0x20, 0x20],
  [0x30, 0x30],
  [0x32, 0x3a],
  [0x3d, 0x3e],
  [0x41, 0x48],
  [0x50, 0x59],
  [0x5b, 0xa4],
  [0xf3, 0xf3],
  [0xfd, 0xfe],
] as const)
  NUMERIC_OPS.fill(1, from, to + 1)
const patched = new WeakSet<object>()

function isVmError(e: unknown): e is EVMError {
  return typeof e === 'object' && e !== null && (e as { errorType?: unknown }).errorType === 'EVMError'
}

/**
 * Gives the interpreters of `evm` a run loop that steps synchronously: `Interpreter.run` awaits `runStep`
 * for every opcode and `runStep` awaits the (async) dynamic-gas handler, so every opcode costs promises
 * and microtasks. This loop charges static gas and the state-free dynamic gas (`syncGasHandlers`) and
 * calls synchronous opcode handlers directly; it awaits only opcodes whose handler is async (SLOAD, calls,
 * creates, ...) and returned a promise, and hands opcodes with a state-reading gas rule (CALL*, ...) to the
 * original `runStep`. SSTORE's gas is `syncSstoreGas` on the slot values `words` (our StateAdapter) holds
 * for the transaction, awaited only when it had to read them. Gas order, errors and results are the
 * interpreter's.
 *
 * Only interpreters of the EVMs passed here take the loop (the `Interpreter` prototype is shared with
 * every other EVM in the process, which keep the stock loop), and each run falls back to the stock loop
 * when `step` listeners, DEBUG or the profiler are on, since those need the per-step hook.
 *
 * @example
 * ```ts
 * const evm = await createEVM({ common, stateManager })
 * useFastRunLoop(evm, interpreterPrototype, adapter)
 * ```
 */
export function useFastRunLoop(evm: EVM, interpreterPrototype: object, words?: StorageWords): boolean {
  const common = evm.common
  if (UNSUPPORTED_EIPS.some((eip) => common.isActivatedEIP(eip))) return false
  const fees = new Float64Array(256)
  for (const entry of (evm as unknown as { _opcodeMap: OpcodeEntry[] })._opcodeMap)
    fees[entry.opcodeInfo.code] = Number(entry.opcodeInfo.feeBigInt)
  fast.set(evm, {
    handlers: syncGasHandlers(common),
    sstore: words === undefined ? undefined : syncSstoreGas(common, words),
    fees,
  })
  if (patched.has(interpreterPrototype)) return true
  patched.add(interpreterPrototype)
  const proto = interpreterPrototype as InterpreterLike
  const stockRun = proto.run
  proto.run = function (this: InterpreterLike, code, opts = {}) {
    const gas = fast.get(this._evm)
    const e = this._evm
    if (gas === undefined || e.DEBUG || e.events.listenerCount('step') > 0 || e._optsCached.profiler?.enabled === true)
      return stockRun.call(this, code, opts)
    return fastRun.call(this, code, opts, gas)
  }
  return true
}

async function fastRun(
  this: InterpreterLike,
  code: Uint8Array,
  opts: { pc?: number },
  { handlers: gasHandlers, sstore, fees }: FastGas,
): Promise<{ runState: RunState; exceptionError?: EVMError }> {
  // Legacy bytecode only (EOF, EIP-3540, is off for this EVM).
  const rs = this._runState
  rs.code = code
  rs.programCounter = opts.pc ?? rs.programCounter
  const start = rs.programCounter
  if (start !== 0 && (start < 0 || start >= code.length))
    throw new Error('Internal error: program counter not in range')
  if (code.length === 0) return { runState: rs }
  // The stock loop analyses on the first JUMP/JUMPI; the analysis is cached per code object (see
  // createInterpreter), has no effect besides these fields, and PUSH reads the same values from either.
  const { jumps, pushes, opcodesCached } = this._getValidJumpDestinations(code)
  rs.validJumps = jumps
  rs.cachedPushes = pushes
  rs.shouldDoJumpAnalysis = false
  const common = this.common
  let err: EVMError | undefined
  // Gas left as a number (no BigInt allocated per opcode) while it is exact, i.e. below 2^53; written back to
  // the run state around every opcode that may read or change it, on errors and at the end.
  const numeric = rs.gasLeft <= MAX_NUMERIC_GAS
  let left = numeric ? Number(rs.gasLeft) : 0
  /** True while `rs.gasLeft` holds the count (bigint steps), false while `left` does. */
  let inRs = !numeric
  while (rs.programCounter < code.length) {
    const entry = opcodesCached[rs.programCounter]!
    const info = entry.opcodeInfo
    const op = info.code
    rs.opCode = op
    try {
      if (
        inRs ||
        NUMERIC_OPS[op] !== 1 ||
        (info.dynamicGas && gasHandlers[op] === undefined && (op !== 0x55 || sstore === undefined))
      ) {
        if (!inRs) {
          rs.gasLeft = BigInt(left)
          inRs = true
        }
        await bigStep.call(this, rs, entry, gasHandlers, sstore, common)
        if (numeric) {
          left = Number(rs.gasLeft)
          inRs = false
        }
        continue
      }
      let cost = fees[op]!
      if (info.dynamicGas) {
        const handler = gasHandlers[op]
        let gas: bigint
        if (handler !== undefined) gas = handler(rs, info.feeBigInt)
        else {
          // SSTORE: its sentry check reads the gas left
          rs.gasLeft = BigInt(left)
          const g = sstore!(rs as unknown as SstoreRunState, info.feeBigInt)
          gas = typeof g === 'bigint' ? g : await g
        }
        cost = Number(gas)
      }
      if (info.isInvalid) throw new EVMError(EVMError.errorMessages.INVALID_OPCODE)
      left -= cost
      if (left < 0) {
        left = 0
        throw new EVMError(EVMError.errorMessages.OUT_OF_GAS)
      }
      rs.programCounter++
      // Async handlers may finish synchronously (ours return undefined then, see fastOpcodes).
      const done = entry.opHandler(rs, common)
      if (info.isAsync && done !== undefined) await done
    } catch (e) {
      if (!inRs) {
        rs.gasLeft = BigInt(left)
        inRs = true
      }
      if (!isVmError(e)) throw e
      if (e.error !== EVMError.errorMessages.STOP) err = e
      break
    }
  }
  if (!inRs) rs.gasLeft = BigInt(left)
  return err === undefined ? { runState: rs } : { runState: rs, exceptionError: err }
}

/** One opcode with the interpreter's bigint gas counter (`rs.gasLeft`), as the stock `runStep` orders it. */
async function bigStep(
  this: InterpreterLike,
  rs: RunState,
  entry: OpcodeEntry,
  gasHandlers: (SyncGasHandler | undefined)[],
  sstore: SstoreGas | undefined,
  common: Common,
): Promise<void> {
  const info = entry.opcodeInfo
  let gas = info.feeBigInt
  if (info.dynamicGas) {
    const handler = gasHandlers[info.code]
    if (handler !== undefined) gas = handler(rs, gas)
    else if (info.code === 0x55 && sstore !== undefined) {
      const g = sstore(rs as unknown as SstoreRunState, gas)
      gas = typeof g === 'bigint' ? g : await g
    } else return this.runStep(entry)
  }
  if (info.isInvalid) throw new EVMError(EVMError.errorMessages.INVALID_OPCODE)
  rs.gasLeft -= gas
  if (rs.gasLeft < 0n) {
    rs.gasLeft = 0n
    throw new EVMError(EVMError.errorMessages.OUT_OF_GAS)
  }
  rs.programCounter++
  const done = entry.opHandler(rs, common)
  if (info.isAsync && done !== undefined) await done
}
