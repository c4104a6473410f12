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
}

const fast = new WeakMap<object, FastGas>()
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
  fast.set(evm, {
    handlers: syncGasHandlers(common),
    sstore: words === undefined ? undefined : syncSstoreGas(common, words),
  })
  if (patched.has(interpreterPrototype)) return true
  patched.add(interpreterPrototype)
  const proto = interpreterPrototype as InterpreterLike
  const stockRun = proto.run
  proto.run = function (this: InterpreterLike, code, opts = {}) {
    const gas = fast.get(this._evm)
    const e = this._evm
    if (
      gas === undefined ||
      e.DEBUG ||
      e.events.listenerCount('step') > 0 ||
      e._optsCached.profiler?.enabled === true
    )
      return stockRun.call(this, code, opts)
    return fastRun.call(this, code, opts, gas)
  }
  return true
}

async function fastRun(
  this: InterpreterLike,
  code: Uint8Array,
  opts: { pc?: number },
  { handlers: gasHandlers, sstore }: FastGas,
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
  while (rs.programCounter < code.length) {
    const entry = opcodesCached[rs.programCounter]!
    const info = entry.opcodeInfo
    rs.opCode = info.code
    try {
      let gas = info.feeBigInt
      if (info.dynamicGas) {
        const handler = gasHandlers[info.code]
        if (handler !== undefined) gas = handler(rs, gas)
        else if (info.code === 0x55 && sstore !== undefined) {
          const g = sstore(rs as unknown as SstoreRunState, gas)
          gas = typeof g === 'bigint' ? g : await g
        } else {
          await this.runStep(entry)
          continue
        }
      }
      if (info.isInvalid) throw new EVMError(EVMError.errorMessages.INVALID_OPCODE)
      rs.gasLeft -= gas
      if (rs.gasLeft < 0n) {
        rs.gasLeft = 0n
        throw new EVMError(EVMError.errorMessages.OUT_OF_GAS)
      }
      rs.programCounter++
      // Async handlers may finish synchronously (ours return undefined then, see fastOpcodes).
      const done = entry.opHandler(rs, common)
      if (info.isAsync && done !== undefined) await done
    } catch (e) {
      if (!isVmError(e)) throw e
      if (e.error !== EVMError.errorMessages.STOP) err = e
      break
    }
  }
  return err === undefined ? { runState: rs } : { runState: rs, exceptionError: err }
}
