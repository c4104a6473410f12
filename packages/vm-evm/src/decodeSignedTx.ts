import { InvalidSignatureError } from '@appchain/core'
import { type DecodeTxOptions, decodeTx, withSender } from './decodeTx.js'
import type { EvmTx } from './evmTx.js'
import { toHex as bytesToHex } from './hex.js'
import { type AddressRecoverer, compactSignature, defaultRecoverer } from './recoverAddress.js'

/**
 * Decodes one raw transaction and recovers its sender on the calling thread (for one-off decoding;
 * `evmVm().decodeTxs` batches recovery on workers).
 *
 * @example
 * ```ts
 * const tx = decodeSignedTx(raw, { chainId: 1n, hardfork: 'prague', allowUnprotected: false })
 * tx.sender // '0x...'
 * ```
 */
export function decodeSignedTx(
  raw: Uint8Array,
  opts: DecodeTxOptions,
  recover: AddressRecoverer = defaultRecoverer(),
): EvmTx {
  const tx = decodeTx(raw, opts)
  const { signingHash, r, s, recovery } = tx.signature
  const sender = recover(signingHash, compactSignature(r, s), recovery)
  if (sender.length !== 20) throw new InvalidSignatureError('public key cannot be recovered')
  return withSender(tx, bytesToHex(sender))
}
