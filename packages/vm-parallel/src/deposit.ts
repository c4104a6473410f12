import type { Deposit, TxEnvelope } from '@appchain/core'
import { bigintToBytes, bytesToHex, concatBytes, hexToBytes, keccak256, rlpEncode } from '@appchain/core'

/**
 * A deposit as an OP-Stack deposit transaction (type 0x7e), the encoding the EVM VM uses too, so every VM
 * gives a deposit the same hash and the same bytes in the transactions root.
 *
 * @example
 * ```ts
 * depositEnvelope(deposit).hash // '0x...'
 * ```
 */
export function depositEnvelope(d: Deposit): TxEnvelope {
  const raw = concatBytes(
    new Uint8Array([0x7e]),
    rlpEncode([
      hexToBytes(d.sourceHash),
      hexToBytes(d.from),
      d.isCreation ? new Uint8Array() : hexToBytes(d.to),
      bigintToBytes(d.mint),
      bigintToBytes(d.value),
      bigintToBytes(d.gasLimit),
      new Uint8Array(),
      hexToBytes(d.data),
    ]),
  )
  return {
    hash: bytesToHex(keccak256(raw)),
    raw,
    sender: d.from.toLowerCase() as `0x${string}`,
    nonce: 0n,
    gasLimit: d.gasLimit,
    fee: { maxFeePerGas: 0n, maxPriorityFeePerGas: 0n },
    size: raw.length,
  }
}
