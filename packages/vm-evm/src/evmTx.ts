import type { Address, Hex, TxEnvelope } from '@appchain/core'

/** The EIP-2718 types this VM executes: legacy, EIP-2930, EIP-1559 and EIP-7702. */
export type EvmTxType = 0 | 1 | 2 | 4

/** One EIP-2930 access list entry. */
export interface AccessListItem {
  address: Address
  storageKeys: Hex[]
}

/** One EIP-7702 authorization tuple, as signed (fields raw, recovered lazily at execution). */
export interface Authorization {
  chainId: bigint
  address: Address
  nonce: bigint
  yParity: number
  r: bigint
  s: bigint
}

/** The signature part of a transaction, and the hash it signs. */
export interface TxSignature {
  /** keccak256 of the signing payload. */
  signingHash: Uint8Array
  r: bigint
  s: bigint
  /** 0 or 1. */
  recovery: number
}

/**
 * A decoded Ethereum transaction: the core `TxEnvelope` plus every field execution needs.
 * `fee` holds `maxFeePerGas`/`maxPriorityFeePerGas` (both equal to `gasPrice` for types 0 and 1).
 */
export interface EvmTx extends TxEnvelope {
  type: EvmTxType
  /** Undefined for unprotected (pre-EIP-155) legacy transactions. */
  chainId: bigint | undefined
  to: Address | null
  value: bigint
  data: Uint8Array
  accessList: AccessListItem[]
  authorizationList: Authorization[] | undefined
  signature: TxSignature
}
