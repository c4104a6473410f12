import type { Common } from '@ethereumjs/common'
import { EVMError } from '@ethereumjs/evm'
import { isWarmSlot, journalAddress, journalSlot, type WarmJournal, warmSlot } from './warmSlots.js'

/** The parts of the interpreter's run state the dynamic-gas rules read and write. */
export interface GasRunState {
  opCode: number
  memoryWordCount: bigint
  highestMemCost: bigint
  stack: { peek(n?: number): bigint[] }
  interpreter: {
    isStatic(): boolean
    getReturnDataSize(): bigint
    getAddress(): { bytes: Uint8Array }
    journal: WarmJournal
  }
  env: { eof?: unknown }
}

/** A dynamic-gas rule that needs no state read: returns the opcode's full gas (base included). */
export type SyncGasHandler = (runState: GasRunState, gas: bigint) => bigint

function trap(error: string): never {
  throw new EVMError(error as never)
}

/**
 * Synchronous copies of `@ethereumjs/evm`'s dynamic-gas handlers for the opcodes whose rule reads no state
 * (memory expansion, copies, hashing, logs, EXP, warm/cold SLOAD), indexed by opcode. The interpreter's own
 * handlers are `async` even when they never wait, which costs a promise and a microtask per opcode; these
 * return the same gas, throw the same errors and update the run state the same way, in the same order.
 * Opcodes missing here (SSTORE, CALL*, CREATE*, BALANCE, EXTCODE*, SELFDESTRUCT, EOF) keep the originals.
 * Built per `Common` (the parameters are the hardfork's) and only for the rules this interpreter version has
 * without EIP-6800/7864 (stateless witnesses), which the caller checks are off.
 *
 * @example
 * ```ts
 * const handlers = syncGasHandlers(common)
 * const gas = handlers[0x52]?.(runState, 3n) // MSTORE: 3 + memory expansion
 * ```
 */
export function syncGasHandlers(common: Common): (SyncGasHandler | undefined)[] {
  const memoryGas = common.param('memoryGas')
  const quadCoefficient = common.param('quadCoefficientDivGas')
  const copyGas = common.param('copyGas')
  const keccakWordGas = common.param('keccak256WordGas')
  const expByteGas = common.param('expByteGas')
  const logTopicGas = common.param('logTopicGas')
  const logDataGas = common.param('logDataGas')

  /** Memory expansion cost of touching [offset, offset + length), as the interpreter's `subMemUsage`. */
  const memUsage = (rs: GasRunState, offset: bigint, length: bigint): bigint => {
    if (length === 0n) return 0n
    const sum = offset + length
    // divCeil for non-negative operands
    const words = sum / 32n + (sum % 32n === 0n ? 0n : 1n)
    if (words <= rs.memoryWordCount) return 0n
    let cost = words * memoryGas + (words * words) / quadCoefficient
    if (cost > rs.highestMemCost) {
      const highest = rs.highestMemCost
      rs.highestMemCost = cost
      cost -= highest
    }
    rs.memoryWordCount = words
    return cost
  }
  const copyWords = (length: bigint) => copyGas * (length / 32n + (length % 32n === 0n ? 0n : 1n))

  const handlers: (SyncGasHandler | undefined)[] = new Array(256).fill(undefined)
  // EXP
  handlers[0x0a] = (rs, gas) => {
    const exponent = rs.stack.peek(2)[1]!
    if (exponent === 0n) return gas
    let byteLength = exponent.toString(2).length / 8
    if (byteLength > Math.trunc(byteLength)) byteLength = Math.trunc(byteLength) + 1
    if (byteLength < 1 || byteLength > 32) trap(EVMError.errorMessages.OUT_OF_RANGE)
    return gas + BigInt(byteLength) * expByteGas
  }
  // KECCAK256
  handlers[0x20] = (rs, gas) => {
    const [offset, length] = rs.stack.peek(2) as [bigint, bigint]
    gas += memUsage(rs, offset, length)
    return gas + keccakWordGas * (length / 32n + (length % 32n === 0n ? 0n : 1n))
  }
  // CALLDATACOPY, CODECOPY (the code-chunk charge is EIP-6800/7864 only)
  handlers[0x37] = handlers[0x39] = (rs, gas) => {
    const [memOffset, , length] = rs.stack.peek(3) as [bigint, bigint, bigint]
    gas += memUsage(rs, memOffset, length)
    if (length !== 0n) gas += copyWords(length)
    return gas
  }
  // RETURNDATACOPY
  handlers[0x3e] = (rs, gas) => {
    const [memOffset, dataOffset, length] = rs.stack.peek(3) as [bigint, bigint, bigint]
    if (dataOffset + length > rs.interpreter.getReturnDataSize() && rs.env.eof === undefined)
      trap(EVMError.errorMessages.OUT_OF_GAS)
    gas += memUsage(rs, memOffset, length)
    if (length !== 0n) gas += copyWords(length)
    return gas
  }
  // MLOAD, MSTORE
  handlers[0x51] = handlers[0x52] = (rs, gas) => gas + memUsage(rs, rs.stack.peek()[0]!, 32n)
  // MSTORE8
  handlers[0x53] = (rs, gas) => gas + memUsage(rs, rs.stack.peek()[0]!, 1n)
  // SLOAD (EIP-2929 warm/cold; the load itself is the async opcode handler)
  if (common.isActivatedEIP(2929)) {
    const cold = common.param('coldsloadGas')
    const warm = common.param('warmstoragereadGas')
    handlers[0x54] = (rs, gas) => {
      const journal = rs.interpreter.journal
      const bytes = rs.interpreter.getAddress().bytes
      const address = journalAddress(bytes)
      const slot = journalSlot(rs.stack.peek()[0]!)
      if (!isWarmSlot(journal, address, slot)) {
        warmSlot(journal, bytes, address, slot)
        return gas + cold
      }
      return gas + warm
    }
  }
  // MCOPY
  handlers[0x5e] = (rs, gas) => {
    const [dst, src, length] = rs.stack.peek(3) as [bigint, bigint, bigint]
    gas += 3n * ((length + 31n) / 32n)
    gas += memUsage(rs, src, length)
    gas += memUsage(rs, dst, length)
    return gas
  }
  // LOG0..LOG4
  const log: SyncGasHandler = (rs, gas) => {
    if (rs.interpreter.isStatic()) trap(EVMError.errorMessages.STATIC_STATE_CHANGE)
    const [memOffset, memLength] = rs.stack.peek(2) as [bigint, bigint]
    const topics = rs.opCode - 0xa0
    if (topics < 0 || topics > 4) trap(EVMError.errorMessages.OUT_OF_RANGE)
    gas += memUsage(rs, memOffset, memLength)
    return gas + logTopicGas * BigInt(topics) + memLength * logDataGas
  }
  for (let op = 0xa0; op <= 0xa4; op++) handlers[op] = log
  // RETURN, REVERT
  handlers[0xf3] = handlers[0xfd] = (rs, gas) => {
    const [offset, length] = rs.stack.peek(2) as [bigint, bigint]
    return gas + memUsage(rs, offset, length)
  }
  return handlers
}
