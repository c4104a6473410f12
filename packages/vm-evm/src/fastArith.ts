import { type EVM, EVMError } from '@ethereumjs/evm'

/** The members of the interpreter's Stack these handlers use (its array and length, as Stack keeps them). */
interface StackLike {
  _store: bigint[]
  _len: number
  _maxHeight: number
}

interface ArithRunState {
  stack: StackLike
  programCounter: number
  opCode: number
  shouldDoJumpAnalysis: boolean
  cachedPushes: Record<number, bigint>
}

type Handler = (runState: ArithRunState, common: unknown) => void

const underflow = () => new EVMError(EVMError.errorMessages.STACK_UNDERFLOW)

/** Pops one word and replaces the new top with `f(popped, top)`: the stock `popN(2)` + `push` without the array. */
function binary(f: (a: bigint, b: bigint) => bigint): Handler {
  return (rs) => {
    const s = rs.stack
    const len = s._len
    if (len < 2) throw underflow()
    const store = s._store
    store[len - 2] = f(store[len - 1]!, store[len - 2]!)
    s._len = len - 1
  }
}

/**
 * The stock handlers of the most frequent arithmetic, comparison and bit opcodes pop their operands with
 * `popN(2)` (an array per opcode) and reduce results with `mod(x, 2^256)` (a BigInt division, a new BigInt
 * even when x is already in range). These do the same on the stack in place and reduce with
 * `BigInt.asUintN(256, x)` (x itself when in range), for ADD, MUL, SUB, DIV, LT, GT, EQ, ISZERO, AND, OR,
 * XOR, SHL and SHR; and PUSH1..PUSH32 read the pushed value from the jump analysis without two EIP checks
 * per push. Same results and errors (a stack underflow is checked before anything is popped); installed on
 * this EVM's own opcode table only. PUSH is left alone when EIP-6800/7864 (code-chunk gas) is active.
 *
 * @example
 * ```ts
 * useFastArith(evm)
 * ```
 */
export function useFastArith(evm: EVM): void {
  const table = (evm as unknown as { _opcodeMap: { opHandler: Handler; opcodeInfo: { code: number } }[] })._opcodeMap
  const set = (op: number, handler: Handler) => {
    const entry = table[op]
    // only where the table has the opcode itself (undefined opcodes map to INVALID)
    if (entry && entry.opcodeInfo.code === op) entry.opHandler = handler
  }
  const u256 = (x: bigint) => BigInt.asUintN(256, x)
  set(
    0x01,
    binary((a, b) => u256(a + b)),
  )
  set(
    0x02,
    binary((a, b) => u256(a * b)),
  )
  set(
    0x03,
    binary((a, b) => u256(a - b)),
  )
  set(
    0x04,
    binary((a, b) => (b === 0n ? 0n : a / b)),
  )
  set(
    0x10,
    binary((a, b) => (a < b ? 1n : 0n)),
  )
  set(
    0x11,
    binary((a, b) => (a > b ? 1n : 0n)),
  )
  set(
    0x14,
    binary((a, b) => (a === b ? 1n : 0n)),
  )
  set(0x15, (rs) => {
    const s = rs.stack
    if (s._len < 1) throw underflow()
    s._store[s._len - 1] = s._store[s._len - 1] === 0n ? 1n : 0n
  })
  set(
    0x16,
    binary((a, b) => a & b),
  )
  set(
    0x17,
    binary((a, b) => a | b),
  )
  set(
    0x18,
    binary((a, b) => a ^ b),
  )
  set(
    0x1b,
    binary((a, b) => (a > 256n ? 0n : u256(b << a))),
  )
  set(
    0x1c,
    binary((a, b) => (a > 256n ? 0n : b >> a)),
  )
  if (!evm.common.isActivatedEIP(6800) && !evm.common.isActivatedEIP(7864)) {
    const stockPush = table[0x60]!.opHandler
    const push: Handler = (rs, common) => {
      if (rs.shouldDoJumpAnalysis) return stockPush(rs, common)
      const s = rs.stack
      if (s._len >= s._maxHeight) throw new EVMError(EVMError.errorMessages.STACK_OVERFLOW)
      s._store[s._len++] = rs.cachedPushes[rs.programCounter]!
      rs.programCounter += rs.opCode - 0x5f
    }
    for (let op = 0x60; op <= 0x7f; op++) set(op, push)
  }
}
