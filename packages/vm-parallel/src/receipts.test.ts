import type { Hex, Receipt } from '@appchain/core'
import { bigintToBytes, bytesToHex, hexToBytes, rlpEncode } from '@appchain/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { unpackItems } from './packed.js'
import { encodeReceipt, encodeReceipts } from './receipts.js'

// The generic rlp encoding the direct writer must match byte for byte.
function reference(r: Receipt): Uint8Array {
  const body = rlpEncode([
    r.status === 'success' ? new Uint8Array([1]) : new Uint8Array(),
    bigintToBytes(r.cumulativeGasUsed),
    hexToBytes(r.logsBloom),
    r.logs.map((l) => [hexToBytes(l.address), l.topics.map((t) => hexToBytes(t)), hexToBytes(l.data)]),
  ])
  return new Uint8Array([0x70, ...body])
}

const hex = (min: number, max: number) =>
  fc.uint8Array({ minLength: min, maxLength: max }).map((b) => bytesToHex(b) as Hex)

const receipt = fc.record({
  status: fc.constantFrom('success' as const, 'reverted' as const),
  cumulativeGasUsed: fc.bigInt({ min: 0n, max: 2n ** 70n }),
  logsBloom: hex(256, 256),
  logs: fc.array(
    fc.record({ address: hex(20, 20), topics: fc.array(hex(32, 32), { maxLength: 4 }), data: hex(0, 300) }),
    { maxLength: 12 },
  ),
})

describe('encodeReceipt', () => {
  it('matches the generic rlp encoding for any receipt', () => {
    fc.assert(
      fc.property(receipt, (r) => {
        const full = { ...r, transactionHash: '0x00', transactionIndex: 0, type: 0x70 } as unknown as Receipt
        expect(bytesToHex(encodeReceipt(full))).toBe(bytesToHex(reference(full)))
      }),
      { numRuns: 300 },
    )
  })

  it('packs a block of receipts end to end, each equal to its own encoding', () => {
    fc.assert(
      fc.property(fc.array(receipt, { maxLength: 40 }), (rs) => {
        const full = rs.map(
          (r) => ({ ...r, transactionHash: '0x00', transactionIndex: 0, type: 0x70 }) as unknown as Receipt,
        )
        const packed = encodeReceipts(full)
        expect(packed.ends.length).toBe(full.length)
        expect(unpackItems(packed).map(bytesToHex)).toEqual(full.map((r) => bytesToHex(reference(r))))
      }),
      { numRuns: 100 },
    )
  })
})
