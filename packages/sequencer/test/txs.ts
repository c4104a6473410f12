import type { Address, Hex, TxEnvelope } from '@appchain/core'

/** A core `TxEnvelope` with given sender, nonce and fees, for pool and ordering tests (no VM needed). */
export function envelope(
  sender: number,
  nonce: number,
  fees: { tip?: bigint; max?: bigint; size?: number; tag?: number } = {},
): TxEnvelope {
  const tip = fees.tip ?? 1_000_000_000n
  const tag = fees.tag ?? 0
  return {
    hash: `0x${sender.toString(16).padStart(20, '0')}${nonce.toString(16).padStart(20, '0')}${tag.toString(16).padStart(24, '0')}` as Hex,
    raw: new Uint8Array(fees.size ?? 100),
    sender: `0x${sender.toString(16).padStart(40, '0')}` as Address,
    nonce: BigInt(nonce),
    gasLimit: 21_000n,
    fee: { maxFeePerGas: fees.max ?? 100_000_000_000n, maxPriorityFeePerGas: tip },
    size: fees.size ?? 100,
  }
}
