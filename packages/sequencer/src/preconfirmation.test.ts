import { hexToBytes } from '@appchain/core'
import { hashTypedData, verifyTypedData } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import { InvalidPreconfirmationError } from './errors.js'
import {
  preconfirmationDigest,
  preconfirmationDomain,
  preconfirmationTypes,
  preconfSigner,
  verifyPreconfirmation,
} from './preconfirmation.js'

// Anvil's first test account.
const KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'
const ADDRESS = '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266'
const txHash = `0x${'ab'.repeat(32)}` as const

describe('preconfirmations', () => {
  it('the hand-computed digest equals viem’s EIP-712 hash, with and without chain id', () => {
    const message = { txHash, blockNumber: 12n, index: 3, sequencer: ADDRESS } as const
    for (const chainId of [undefined, 4242n]) {
      const viemHash = hashTypedData({
        domain: preconfirmationDomain(chainId),
        types: preconfirmationTypes,
        primaryType: 'Preconfirmation',
        message,
      })
      expect(preconfirmationDigest(message, chainId)).toEqual(hexToBytes(viemHash))
    }
  })

  for (const backend of ['native', 'noble'] as const) {
    it(`${backend}: signs what viem verifies and what a viem account signs`, async () => {
      const signer = preconfSigner(KEY, { chainId: 4242n, backend })
      expect(signer.address).toBe(ADDRESS)
      expect(signer.backend).toBe(backend)
      const p = signer.sign({ txHash, blockNumber: 7n, index: 1 })
      expect(p).toMatchObject({ txHash, blockNumber: 7n, index: 1, sequencer: ADDRESS })
      const typed = {
        domain: preconfirmationDomain(4242n),
        types: preconfirmationTypes,
        primaryType: 'Preconfirmation',
        message: { txHash, blockNumber: 7n, index: 1, sequencer: ADDRESS },
      } as const
      expect(await verifyTypedData({ address: ADDRESS, ...typed, signature: p.signature })).toBe(true)
      // RFC 6979 signatures are deterministic: identical to viem's own signer.
      expect(p.signature).toBe(await privateKeyToAccount(KEY).signTypedData(typed))
      expect(await verifyPreconfirmation(p, { chainId: 4242n, sequencer: ADDRESS })).toBe(true)
    })
  }

  it('refuses tampered fields, a wrong chain and an unexpected sequencer with InvalidPreconfirmationError', async () => {
    const p = preconfSigner(KEY, { chainId: 1n }).sign({ txHash, blockNumber: 7n, index: 1 })
    await expect(verifyPreconfirmation({ ...p, index: 2 }, { chainId: 1n })).rejects.toThrow(
      InvalidPreconfirmationError,
    )
    await expect(verifyPreconfirmation(p, { chainId: 2n })).rejects.toThrow(InvalidPreconfirmationError)
    await expect(
      verifyPreconfirmation(p, { chainId: 1n, sequencer: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8' }),
    ).rejects.toThrow(InvalidPreconfirmationError)
    await expect(verifyPreconfirmation({ ...p, signature: '0x1234' }, { chainId: 1n })).rejects.toThrow(
      InvalidPreconfirmationError,
    )
  })

  it('signs on first read and keeps the signature in copies and JSON', async () => {
    const p = preconfSigner(KEY, { chainId: 4242n }).sign({ txHash, blockNumber: 7n, index: 1 })
    const copy = { ...p }
    expect(copy.signature).toBe(p.signature)
    expect(JSON.parse(JSON.stringify({ ...p, blockNumber: '7' })).signature).toBe(p.signature)
    expect(await verifyPreconfirmation(copy, { chainId: 4242n, sequencer: ADDRESS })).toBe(true)
  })

  it('guards its key argument', () => {
    expect(() => preconfSigner('0x1234')).toThrow(TypeError)
    expect(() => preconfSigner(`0x${'00'.repeat(32)}`)).toThrow(RangeError)
  })
})
