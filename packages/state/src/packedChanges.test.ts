import { type Address, type Hex, KECCAK_EMPTY } from '@appchain/core'
import { describe, expect, it } from 'vitest'
import type { AccountChange } from './accountShard.js'
import { packChanges, unpackChanges } from './packedChanges.js'

const addr = (i: number) => `0x${i.toString(16).padStart(40, '0')}` as Address
const word = (i: number | bigint) => `0x${i.toString(16).padStart(64, '0')}` as Hex

describe('packChanges', () => {
  it('round-trips every shape of change', () => {
    const changes: AccountChange[] = [
      { address: addr(1), account: undefined },
      { address: addr(2), account: null, rebuild: { cleared: true, slots: [] } },
      {
        address: addr(3),
        account: { nonce: (1n << 64n) - 1n, balance: (1n << 256n) - 1n, codeHash: word(0xc0de) },
        rebuild: { cleared: false, slots: [[word(1), word(2)]] },
        slots: [
          [word(1), word(2)],
          [word(3), undefined],
        ],
      },
      { address: addr(4), account: { nonce: 0n, balance: 0n, codeHash: KECCAK_EMPTY }, rebuild: null, slots: [] },
    ]
    expect(unpackChanges(packChanges(changes))).toEqual(changes)
    expect(unpackChanges(packChanges([]))).toEqual([])
  })
})
