import { createCustomCommon, Mainnet } from '@ethereumjs/common'
import { createEVM, getOpcodesForHF, paramsEVM } from '@ethereumjs/evm'
import { bigIntToBytes, bytesToBigInt, setLengthLeft } from '@ethereumjs/util'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Hardfork } from './hardfork.js'
import { type GasRunState, syncGasHandlers } from './syncGas.js'
import type { WarmJournal } from './warmSlots.js'
import { readWord32, word32, writeWord32 } from './word32.js'

// The synchronous gas rules must agree with @ethereumjs/evm's own (async) dynamic-gas handlers: same gas,
// same error, same run-state updates (memory word count, highest memory cost, warmed slots).

/** The interpreter's real Journal (warm slots, diffs), reset per case. */
type TestJournal = WarmJournal & { cleanJournal(): void; addWarmedStorage(a: Uint8Array, k: Uint8Array): void }

/** What a revert or a later access would see of the journal: warm slots per address and the diffs. */
const warmState = (j: TestJournal) =>
  JSON.stringify([
    [...j.journal].map(([a, s]) => [a, [...s]]),
    j.journalDiff.map(([h, [a, m, t]]) => [h, [...a], [...m].map(([k, v]) => [k, [...v]]), [...t]]),
  ])

function runState(
  args: {
    opCode: number
    stack: bigint[]
    memoryWordCount: bigint
    returnDataSize: bigint
    isStatic: boolean
    warm: boolean
  },
  journal: TestJournal,
): GasRunState {
  const address = new Uint8Array(20).fill(7)
  journal.cleanJournal()
  if (args.warm && args.stack[0] !== undefined) journal.addWarmedStorage(address, word32(args.stack[0]))
  const stack = [...args.stack]
  const words = args.memoryWordCount
  return {
    opCode: args.opCode,
    memoryWordCount: words,
    highestMemCost: words * 3n + (words * words) / 512n,
    stack: { peek: (n = 1) => stack.slice(0, n) },
    interpreter: {
      isStatic: () => args.isStatic,
      getReturnDataSize: () => args.returnDataSize,
      getAddress: () => ({ bytes: address }),
      journal,
    },
    env: {},
  }
}

const outcome = async (f: () => bigint | Promise<bigint>) => {
  try {
    return { gas: await f() }
  } catch (e) {
    return { error: (e as { error?: string }).error ?? String(e) }
  }
}

// Offsets and lengths near the interesting edges: zero, inside current memory, word boundaries, large.
const operand = fc.oneof(
  fc.constantFrom(0n, 1n, 31n, 32n, 33n, 64n, 1024n, 2n ** 32n, 2n ** 255n),
  fc.bigInt({ min: 0n, max: 64n }),
  fc.bigInt({ min: 0n, max: 4096n }),
  fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }),
)

describe('syncGasHandlers', () => {
  for (const hardfork of ['shanghai', 'cancun', 'prague'] satisfies Hardfork[]) {
    it(`matches the interpreter's dynamic-gas handlers (${hardfork})`, async () => {
      const common = createCustomCommon({ chainId: 1 }, Mainnet, { hardfork, params: paramsEVM })
      const stock = getOpcodesForHF(common).dynamicGasHandlers
      const sync = syncGasHandlers(common)
      const ja = (await createEVM({ common })).journal as unknown as TestJournal
      const jb = (await createEVM({ common })).journal as unknown as TestJournal
      const ops = sync.flatMap((h, op) => (h ? [op] : []))
      expect(ops).toContain(0x52)
      for (const op of ops) expect(stock.has(op), `0x${op.toString(16)}`).toBe(true)
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...ops),
          fc.array(operand, { minLength: 3, maxLength: 3 }),
          fc.bigInt({ min: 0n, max: 200n }),
          fc.oneof(fc.bigInt({ min: 0n, max: 64n }), fc.bigInt({ min: 0n, max: 5000n })),
          fc.boolean(),
          fc.boolean(),
          fc.bigInt({ min: 0n, max: 100n }),
          async (opCode, stack, memoryWordCount, returnDataSize, isStatic, warm, base) => {
            const args = { opCode, stack, memoryWordCount, returnDataSize, isStatic, warm }
            const a = runState(args, ja)
            const b = runState(args, jb)
            const theirs = await outcome(() => stock.get(opCode)!(a as never, base, common))
            const ours = await outcome(() => sync[opCode]!(b, base))
            expect(ours).toEqual(theirs)
            if ('gas' in theirs) {
              expect(b.memoryWordCount).toBe(a.memoryWordCount)
              expect(b.highestMemCost).toBe(a.highestMemCost)
              expect(warmState(jb)).toBe(warmState(ja))
            }
          },
        ),
        { numRuns: 3000 },
      )
    })
  }
})

describe('word32', () => {
  it('equals setLengthLeft(bigIntToBytes(v), 32) for every 256-bit value', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }), fc.constantFrom(0n, 1n, 2n ** 64n, 2n ** 256n - 1n)),
        (v) => {
          expect(word32(v)).toEqual(setLengthLeft(bigIntToBytes(v), 32))
        },
      ),
    )
  })
})

describe('writeWord32 / readWord32', () => {
  const value = fc.oneof(
    fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }),
    fc.bigInt({ min: 0n, max: 2n ** 64n }),
    fc.constantFrom(0n, 1n, 2n ** 64n - 1n, 2n ** 64n, 2n ** 192n, 2n ** 256n - 1n),
  )
  it('writes the same bytes as setLengthLeft(bigIntToBytes(v), 32) at any offset, leaving the rest', () => {
    fc.assert(
      fc.property(value, fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 255 }), (v, at, fill) => {
        const target = new Uint8Array(48).fill(fill)
        writeWord32(target, at, v)
        expect(target.subarray(at, at + 32)).toEqual(setLengthLeft(bigIntToBytes(v), 32))
        expect([...target.subarray(0, at), ...target.subarray(at + 32)].every((b) => b === fill)).toBe(true)
      }),
    )
  })
  it('reads bytesToBigInt of 32 bytes, zero past the end (right-padded like CALLDATALOAD)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 70 }), fc.integer({ min: 0, max: 70 }), (bytes, at) => {
        const padded = new Uint8Array(32)
        padded.set(bytes.subarray(at, at + 32))
        expect(readWord32(bytes, at)).toBe(bytesToBigInt(padded))
      }),
    )
    fc.assert(
      fc.property(value, (v) => {
        expect(readWord32(word32(v), 0)).toBe(v)
      }),
    )
  })
})
