import { type Address, type Hex, KECCAK_EMPTY } from '@appchain/core'
import { describe, expect, it } from 'vitest'
import type { AccountChange } from './accountShard.js'
import { accountKey } from './keys.js'
import { nodeKey } from './nodeStore.js'
import { packChanges, unpackChanges } from './packedChanges.js'
import { PackedOpsWriter, unpackOps } from './packedOps.js'

const addr = (i: number) => `0x${i.toString(16).padStart(40, '0')}` as Address
const word = (i: number | bigint) => `0x${i.toString(16).padStart(64, '0')}` as Hex

describe('packChanges', () => {
  it('round-trips every shape of change', () => {
    const changes: AccountChange[] = [
      { address: addr(1), account: undefined, hash: new Uint8Array(32).fill(7) },
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

  it('round-trips nonces and balances at every byte-length boundary (in place below 2^32, bytes above)', () => {
    const values = [0n, 1n, 0xffn, 0x100n, 0xffffn, 0x10000n, 0xffffffn, 0x1000000n, 0xffffffffn, 0x100000000n]
    const changes: AccountChange[] = values.map((v, i) => ({
      address: addr(10 + i),
      account: { nonce: v, balance: values[values.length - 1 - i]!, codeHash: KECCAK_EMPTY },
    }))
    const buffer = packChanges(changes)
    expect(unpackChanges(buffer)).toEqual(changes)
    // Minimal big-endian: the fourth change's nonce 0x100 is two bytes (length 2, then 0x01 0x00) after its address
    // and flags; each of the first three changes takes 29 bytes (20 + 1 + nonce + balance + 1).
    const bytes = new Uint8Array(buffer)
    expect([...bytes.subarray(3 * 29 + 21, 3 * 29 + 24)]).toEqual([2, 1, 0])
  })
})

describe('PackedOpsWriter', () => {
  it('node and account ops in place equal the generic ones', () => {
    const hash = new Uint8Array(32).fill(9)
    const enc = Uint8Array.of(0xc2, 0x01, 0x02)
    const a = addr(0xabc)
    const w = new PackedOpsWriter(8)
    w.putNode(hash, enc)
    w.account(a, Uint8Array.of(1, 2, 3))
    w.account(a, null)
    w.clearPrefix(Uint8Array.of(0x53, 0x73))
    const { ops, clearPrefixes } = unpackOps(w.finish())
    expect(ops).toEqual([
      { type: 'put', key: nodeKey(hash), value: enc },
      { type: 'put', key: accountKey(a), value: Uint8Array.of(1, 2, 3) },
      { type: 'del', key: accountKey(a) },
    ])
    expect(clearPrefixes).toEqual([Uint8Array.of(0x53, 0x73)])
  })
})
