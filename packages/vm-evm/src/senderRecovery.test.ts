import { InvalidSignatureError } from '@appchain/core'
import { afterAll, describe, expect, it } from 'vitest'
import { decodeTx } from './decodeTx.js'
import { evmVm } from './evmVm.js'
import { compactSignature, nativeRecoverer, nobleRecoverer } from './recoverAddress.js'
import { senderRecovery } from './senderRecovery.js'
import { CHAIN_ID, lower, sign, testAccounts } from './testHelpers.js'

const accounts = testAccounts(8)
const raws = await Promise.all(
  Array.from({ length: 40 }, (_, i) =>
    sign(accounts[i % 8]!, {
      type: 'eip1559',
      to: accounts[(i + 1) % 8]!.address,
      value: BigInt(i),
      nonce: i,
      gas: 21_000n,
      maxFeePerGas: 10n,
      maxPriorityFeePerGas: 1n,
    }),
  ),
)
const opts = { chainId: CHAIN_ID, hardfork: 'prague' as const, allowUnprotected: false }
const sigs = raws.map((r) => decodeTx(r, opts).signature)
const expected = raws.map((_, i) => lower(accounts[i % 8]!.address))

describe('sender recovery', () => {
  const pooled = senderRecovery({ workers: 2, minParallel: 1 })
  afterAll(() => pooled.close())

  it('native libsecp256k1 loads here and agrees with @noble/curves on every signature', () => {
    const native = nativeRecoverer()
    expect(native).toBeDefined()
    for (const s of sigs) {
      const sig = compactSignature(s.r, s.s)
      expect(native!(s.signingHash, sig, s.recovery)).toEqual(nobleRecoverer(s.signingHash, sig, s.recovery))
    }
  })

  it('recovers the signers, inline and on the worker pool, native and noble', async () => {
    const hex = (xs: (Uint8Array | undefined)[]) =>
      xs.map((x) => (x ? `0x${Buffer.from(x).toString('hex')}` : undefined))
    expect(hex(await senderRecovery({ workers: 0 }).recover(sigs))).toEqual(expected)
    expect(hex(await pooled.recover(sigs))).toEqual(expected)
    const noble = senderRecovery({ workers: 2, minParallel: 1, backend: 'noble' })
    try {
      expect(noble.backend).toBe('noble')
      expect(hex(await noble.recover(sigs.slice(0, 6)))).toEqual(expected.slice(0, 6))
    } finally {
      await noble.close()
    }
    expect(pooled.backend).toBe('native')
  })

  it('marks an unrecoverable signature instead of failing the batch', async () => {
    const bad = { ...sigs[0]!, r: 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140n }
    const out = await pooled.recover([sigs[1]!, bad, sigs[2]!])
    expect(out[0]).toBeDefined()
    expect(out[2]).toBeDefined()
    expect(() => nobleRecoverer(bad.signingHash, compactSignature(bad.r, bad.s), bad.recovery)).toThrow(
      InvalidSignatureError,
    )
  })

  it('evmVm.decodeTxs recovers a large batch on workers with the same senders', async () => {
    const vm = evmVm({ recovery: { workers: 2, minParallel: 8 } })
    try {
      const txs = await vm.decodeTxs(raws, { chainId: CHAIN_ID })
      expect(txs.map((t) => ('sender' in t ? t.sender : t))).toEqual(expected)
    } finally {
      await vm.close()
    }
  })
})
