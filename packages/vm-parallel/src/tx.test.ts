import {
  bytesToHex,
  ChainIdMismatchError,
  IntrinsicGasTooLowError,
  InvalidSignatureError,
  InvalidTransactionEncodingError,
  TransactionTooLargeError,
} from '@appchain/core'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import { CHAIN_ID, call, keys, schemaOf } from '../test/helpers.js'
import { MethodNotFoundError } from './errors.js'
import { decodeParallelTx } from './parallelTx.js'
import { programSpec } from './program.js'
import { game } from './programs/game.js'
import { nativeToken } from './programs/nativeToken.js'
import { createRegistry } from './registry.js'
import { decodeTransaction, encodeTransaction, signingDigest, typedDataOf } from './tx.js'

const [alice, bob] = keys(2, 'tx')
const token = nativeToken({ authority: alice!.address })
const g = game()
const registry = createRegistry([programSpec(token), programSpec(g)])
const opts = { chainId: CHAIN_ID }

describe('parallel transactions', () => {
  it('round-trips a call signed by a viem account and recovers its sender', async () => {
    const account = privateKeyToAccount(alice!.privateKeyHex)
    const schema = schemaOf(g, 'move')
    const request = {
      chainId: CHAIN_ID,
      program: 'game',
      method: 'move',
      args: { fromX: 1n, fromY: 2n, toX: 1n, toY: 3n },
      reads: [],
      writes: [alice!.address],
      nonce: 9n,
      gasLimit: 90_000n,
      maxFeePerGas: 5n,
      maxPriorityFeePerGas: 1n,
    }
    const raw = encodeTransaction(request, schema, await account.signTypedData(typedDataOf(request, schema)))
    const tx = decodeParallelTx(raw, registry, opts)
    expect(tx).toMatchObject({ sender: alice!.address, nonce: 9n, program: 'game', method: 'move', args: request.args })
    expect(tx.accessSet).toEqual({ reads: [], writes: [alice!.address] })
    expect(bytesToHex(signingDigest(request, schema))).toMatch(/^0x[0-9a-f]{64}$/)
  })

  it('recovers someone else when a signed field is changed (the signature covers every field)', () => {
    const raw = call(token, 'transfer', { to: bob!.address, amount: 5n }, alice!, 0n)
    const fields = decodeTransaction(raw, { chainId: CHAIN_ID, schemaOf: registry.schemaOf })
    const tampered = encodeTransaction(
      { ...fields, args: { to: bob!.address, amount: 6n } },
      fields.schema,
      bytesToHex(fields.signature),
    )
    expect(decodeParallelTx(tampered, registry, opts).sender).not.toBe(alice!.address)
  })

  it('refuses bad input with specific errors', () => {
    const raw = call(token, 'transfer', { to: bob!.address, amount: 5n }, alice!, 0n)
    const decode =
      (bytes: Uint8Array, o = opts) =>
      () =>
        decodeParallelTx(bytes, registry, o)
    expect(decode(raw, { chainId: 1n })).toThrow(ChainIdMismatchError)
    expect(decode(new Uint8Array([0x02, 0xc0]))).toThrow(InvalidTransactionEncodingError)
    expect(decode(raw.slice(0, -1))).toThrow(InvalidTransactionEncodingError)
    expect(decode(new Uint8Array(20_000).fill(0x70))).toThrow(TransactionTooLargeError)
    const highS = raw.slice()
    // Flip s to n - s: the same signature in its malleable form.
    const sOff = raw.length - 33
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
    const s = BigInt(bytesToHex(raw.slice(sOff, sOff + 32)))
    highS.set(Buffer.from((n - s).toString(16).padStart(64, '0'), 'hex'), sOff)
    expect(decode(highS)).toThrow(InvalidSignatureError)
    expect(decode(call(token, 'transfer', { to: bob!.address, amount: 5n }, alice!, 0n, { gasLimit: 100n }))).toThrow(
      IntrinsicGasTooLowError,
    )
    const noMethod = call(
      { ...token, methods: { burn: { ...token.methods.transfer!, name: 'burn' } } },
      'burn',
      { to: bob!.address, amount: 1n },
      alice!,
      0n,
    )
    expect(decode(noMethod)).toThrow(MethodNotFoundError)
  })
})
