import { createCustomCommon, Mainnet } from '@ethereumjs/common'
import { createEVM, getOpcodesForHF, paramsEVM } from '@ethereumjs/evm'
import { Address } from '@ethereumjs/util'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Hardfork } from './hardfork.js'
import { type StorageWords, syncSstoreGas } from './syncSstore.js'
import type { WarmJournal } from './warmSlots.js'
import { word32 } from './word32.js'

// SSTORE's synchronous gas rule must agree with @ethereumjs/evm's own (async) handler: same gas, same error,
// same refund counter and warmed slots, whether the slot values are cached (sync) or read (async).

interface Case {
  key: bigint
  value: bigint
  current: bigint
  original: bigint
  gasLeft: bigint
  gasRefund: bigint
  warm: boolean
  isStatic: boolean
}

/** The interpreter's real Journal (warm slots, diffs), reset per case. */
type TestJournal = WarmJournal & { cleanJournal(): void; addWarmedStorage(a: Uint8Array, k: Uint8Array): void }

const warmState = (j: TestJournal) =>
  JSON.stringify([
    [...j.journal].map(([a, s]) => [a, [...s]]),
    j.journalDiff.map(([h, [a, m, t]]) => [h, [...a], [...m].map(([k, v]) => [k, [...v]]), [...t]]),
  ])

function runState(c: Case, journal: TestJournal) {
  const address = new Address(new Uint8Array(20).fill(7))
  journal.cleanJournal()
  if (c.warm) journal.addWarmedStorage(address.bytes, word32(c.key))
  const stack = [c.key, c.value]
  const rs = {
    opCode: 0x55,
    gasLeft: c.gasLeft,
    gasRefund: c.gasRefund,
    stack: { peek: (n = 1) => stack.slice(0, n) },
    env: {},
    interpreter: {
      isStatic: () => c.isStatic,
      getAddress: () => address,
      getGasLeft: () => rs.gasLeft,
      refundGas: (amount: bigint) => {
        rs.gasRefund += amount
      },
      subRefund: (amount: bigint) => {
        rs.gasRefund -= amount
        if (rs.gasRefund < 0n) {
          rs.gasRefund = 0n
          throw { error: 'refund exhausted', errorType: 'EVMError' }
        }
      },
      // what our StateAdapter answers: 32-byte words
      storageLoad: async (_key: Uint8Array, original = false) => word32(original ? c.original : c.current),
      journal,
    },
  }
  return rs
}

function words(c: Case, cached: boolean): StorageWords {
  return {
    cachedStorageWord: () => (cached ? c.current : undefined),
    cachedOriginalStorageWord: () => (cached ? c.original : undefined),
    getStorageWord: async () => c.current,
    getOriginalStorageWord: async () => c.original,
  }
}

const outcome = async (f: () => bigint | Promise<bigint>) => {
  try {
    return { gas: await f() }
  } catch (e) {
    return { error: (e as { error?: string }).error ?? String(e) }
  }
}

const word = fc.oneof(
  fc.constantFrom(0n, 1n, 2n),
  fc.bigInt({ min: 0n, max: 3n }),
  fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }),
)

describe('syncSstoreGas', () => {
  for (const hardfork of ['shanghai', 'cancun', 'prague'] satisfies Hardfork[]) {
    it(`matches the interpreter's SSTORE gas handler (${hardfork})`, async () => {
      const common = createCustomCommon({ chainId: 1 }, Mainnet, { hardfork, params: paramsEVM })
      const stock = getOpcodesForHF(common).dynamicGasHandlers.get(0x55)!
      const ja = (await createEVM({ common })).journal as unknown as TestJournal
      const jb = (await createEVM({ common })).journal as unknown as TestJournal
      const cases = fc.record({
        key: word,
        value: word,
        current: word,
        original: word,
        gasLeft: fc.oneof(fc.constantFrom(2299n, 2300n, 2301n), fc.bigInt({ min: 0n, max: 100_000n })),
        gasRefund: fc.oneof(fc.constantFrom(0n, 4799n, 4800n), fc.bigInt({ min: 0n, max: 50_000n })),
        warm: fc.boolean(),
        isStatic: fc.boolean(),
      })
      await fc.assert(
        fc.asyncProperty(cases, fc.boolean(), fc.bigInt({ min: 0n, max: 100n }), async (c, cached, base) => {
          const a = runState(c, ja)
          const b = runState(c, jb)
          const theirs = await outcome(() => stock(a as never, base, common))
          const ours = await outcome(() => syncSstoreGas(common, words(c, cached))!(b as never, base))
          expect(ours).toEqual(theirs)
          expect(b.gasRefund).toBe(a.gasRefund)
          expect(warmState(jb)).toBe(warmState(ja))
        }),
        { numRuns: 5000 },
      )
    })
  }

  it('is synchronous when both slot values are cached', async () => {
    const common = createCustomCommon({ chainId: 1 }, Mainnet, { hardfork: 'prague', params: paramsEVM })
    const c: Case = {
      key: 1n,
      value: 2n,
      current: 1n,
      original: 1n,
      gasLeft: 10_000n,
      gasRefund: 0n,
      warm: true,
      isStatic: false,
    }
    const journal = (await createEVM({ common })).journal as unknown as TestJournal
    expect(syncSstoreGas(common, words(c, true))!(runState(c, journal) as never, 0n)).toBe(2900n)
    expect(syncSstoreGas(common, words(c, false))!(runState(c, journal) as never, 0n)).toBeInstanceOf(Promise)
  })
})
