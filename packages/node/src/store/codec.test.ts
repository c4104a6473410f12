import type { Hex, Receipt } from '@appchain/core'
import { logsBloom } from '@appchain/core'
import { describe, expect, it } from 'vitest'
import { decodeJson, decodeReceipts, encodeJson, encodeReceipts } from './codec.js'

const log = {
  address: '0x00000000000000000000000000000000000000aa' as Hex,
  topics: [`0x${'11'.repeat(32)}` as Hex],
  data: '0x1234' as Hex,
}
const receipt = (i: number, logs: Receipt['logs']): Receipt => ({
  transactionHash: `0x${i.toString(16).padStart(64, '0')}`,
  transactionIndex: i,
  type: 2,
  from: '0x00000000000000000000000000000000000000bb',
  to: null,
  status: i % 2 ? 'reverted' : 'success',
  gasUsed: 21000n,
  cumulativeGasUsed: 21000n * BigInt(i + 1),
  effectiveGasPrice: 7n,
  logs,
  logsBloom: logsBloom(logs),
  contractAddress: null,
  l1Fee: 5n,
  output: '0x',
})

describe('receipts codec', () => {
  it('round-trips receipts with and without logs, bigints and optional fields', () => {
    const receipts = [receipt(0, []), receipt(1, [log]), receipt(2, [])]
    expect(decodeReceipts(encodeReceipts(receipts))).toEqual(receipts)
  })

  it('reads what the general JSON encoder wrote (data written before the fast encoder)', () => {
    const receipts = [receipt(0, []), receipt(1, [log])]
    expect(decodeReceipts(encodeJson(receipts))).toEqual(receipts)
  })

  it('leaves the all-zero bloom of a receipt without logs out of the stored bytes', () => {
    const stored = decodeJson<Record<string, unknown>[]>(encodeReceipts([receipt(0, []), receipt(1, [log])]))
    expect(stored[0]).not.toHaveProperty('logsBloom')
    expect(stored[1]!.logsBloom).toBe(logsBloom([log]))
  })

  it('falls back to the general encoder for a bigint below the top level', () => {
    const odd = { ...receipt(0, []), extra: { deep: 9n } } as unknown as Receipt
    expect(decodeReceipts(encodeReceipts([odd]))).toEqual([odd])
  })
})
