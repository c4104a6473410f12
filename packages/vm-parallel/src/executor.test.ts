import type { Address } from '@appchain/core'
import { bigintToBytes, bytesToHex, rlpEncode } from '@appchain/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { executeTx, type ProgramInfo } from './executor.js'
import { defineProgram, programSpec } from './program.js'
import { createSandbox } from './sandbox.js'

const sender = '0x00000000000000000000000000000000000000aa' as Address
// Emits whatever values the (JSON) argument describes, so the property drives the real sandbox path.
const logger = defineProgram({
  id: 'logger',
  data: false,
  methods: {
    log: {
      args: { spec: 'string' },
      run(ctx, args) {
        const values = JSON.parse(args.spec).map((v: { b?: string; s?: string; t?: boolean; x?: number }) =>
          v.b !== undefined ? BigInt(v.b) : v.s !== undefined ? v.s : v.t !== undefined ? v.t : v.x,
        )
        ctx.emit('Logged', ...values)
      },
    },
  },
})
const sandbox = createSandbox([programSpec(logger)])
const infos = new Map<string, ProgramInfo>([['logger', { address: logger.address, capabilities: [], data: false }]])
const enc = new TextEncoder()

// Log data as defined: rlp of uints (two's complement for negatives), UTF-8 strings, booleans as 0/1.
function reference(values: (bigint | string | boolean | number)[]): string {
  return bytesToHex(
    rlpEncode(
      values.map((v) => {
        if (typeof v === 'boolean') return v ? new Uint8Array([1]) : new Uint8Array()
        if (typeof v === 'bigint') return bigintToBytes(v < 0n ? (1n << 256n) + v : v)
        return enc.encode(String(v))
      }),
    ),
  )
}

const value = fc.oneof(
  fc.bigInt({ min: -(2n ** 255n), max: 2n ** 256n - 1n }),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.constantFrom('', ':', 's3:abc', 'n1:', 'T', 'F', '0', '\u0000', 'é'),
  fc.boolean(),
  fc.integer(),
)

describe('log data', () => {
  it('is the rlp of the emitted values, whatever they are', () => {
    fc.assert(
      fc.property(fc.array(value, { maxLength: 10 }), (values) => {
        const spec = JSON.stringify(
          values.map((v) =>
            typeof v === 'bigint'
              ? { b: v.toString() }
              : typeof v === 'string'
                ? { s: v }
                : typeof v === 'boolean'
                  ? { t: v }
                  : { x: v },
          ),
        )
        const out = executeTx(
          sandbox,
          infos,
          {
            index: 0,
            program: 'logger',
            method: 'log',
            argsJson: JSON.stringify([spec]),
            sender,
            reads: [],
            writes: [],
          },
          { balance: () => 0n, record: () => undefined },
          { blockNumber: 1n, timestamp: 1n },
          'locks',
        )
        expect(out.status).toBe('success')
        expect(out.logs[0]?.data).toBe(reference(values))
      }),
      { numRuns: 400 },
    )
  })
})
