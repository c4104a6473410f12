import { createCustomCommon, Mainnet } from '@ethereumjs/common'
import { createEVM, getOpcodesForHF, paramsEVM } from '@ethereumjs/evm'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { useFastArith } from './fastArith.js'

// The in-place arithmetic and PUSH handlers must agree with @ethereumjs/evm's own: same stack afterwards,
// same program counter, same error.

/** The interpreter's Stack as far as the handlers see it (same fields and checks as its class). */
class TestStack {
  _store: bigint[] = []
  _len = 0
  _maxHeight = 1024
  push(v: bigint) {
    if (this._len >= this._maxHeight) throw { error: 'stack overflow', errorType: 'EVMError' }
    this._store[this._len++] = v
  }
  pop() {
    if (this._len < 1) throw { error: 'stack underflow', errorType: 'EVMError' }
    return this._store[--this._len]!
  }
  popN(n: number) {
    if (this._len < n) throw { error: 'stack underflow', errorType: 'EVMError' }
    const out: bigint[] = []
    for (let i = 0; i < n; i++) out.push(this._store[--this._len]!)
    return out
  }
  get items() {
    return this._store.slice(0, this._len)
  }
}

const word = fc.oneof(
  fc.constantFrom(0n, 1n, 2n, 255n, 256n, 257n, 2n ** 255n, 2n ** 256n - 1n),
  fc.bigInt({ min: 0n, max: 300n }),
  fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }),
)

const outcome = (f: () => void) => {
  try {
    f()
    return 'ok'
  } catch (e) {
    return (e as { error?: string }).error ?? String(e)
  }
}

describe('useFastArith', () => {
  it("matches the interpreter's handlers for ADD..SHR and PUSH1..PUSH32", async () => {
    const common = createCustomCommon({ chainId: 1 }, Mainnet, { hardfork: 'prague', params: paramsEVM })
    const stock = getOpcodesForHF(common).handlers
    const evm = await createEVM({ common })
    const table = (evm as unknown as { _opcodeMap: { opHandler: (rs: unknown, c: unknown) => void }[] })._opcodeMap
    const before = table.map((e) => e.opHandler)
    useFastArith(evm)
    const ops = table.flatMap((e, op) => (e.opHandler !== before[op] ? [op] : []))
    expect(ops).toEqual([
      0x01,
      0x02,
      0x03,
      0x04,
      0x10,
      0x11,
      0x14,
      0x15,
      0x16,
      0x17,
      0x18,
      0x1b,
      0x1c,
      ...Array.from({ length: 32 }, (_, i) => 0x60 + i),
    ])
    fc.assert(
      fc.property(
        fc.constantFrom(...ops),
        fc.array(word, { minLength: 0, maxLength: 4 }),
        fc.boolean(),
        word,
        (op, items, full, pushed) => {
          const runState = () => {
            const stack = new TestStack()
            if (full) for (let i = items.length; i < 1024; i++) stack.push(0n)
            for (const v of items) stack.push(v)
            return { stack, opCode: op, programCounter: 7, shouldDoJumpAnalysis: false, cachedPushes: { 7: pushed } }
          }
          const a = runState()
          const b = runState()
          expect(outcome(() => table[op]!.opHandler(b, common))).toBe(outcome(() => stock.get(op)!(a as never, common)))
          expect(b.stack.items).toEqual(a.stack.items)
          expect(b.programCounter).toBe(a.programCounter)
        },
      ),
      { numRuns: 5000 },
    )
  })
})
