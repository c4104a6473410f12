import type { AccessListItem } from './evmTx.js'
import type { Hardfork } from './hardfork.js'

/** EIP-3860: twice the EIP-170 code size limit. */
export const MAX_INITCODE_SIZE = 49_152

/** What intrinsic gas depends on. */
export interface IntrinsicGasInput {
  to: string | null
  data: Uint8Array
  accessList: readonly AccessListItem[]
  authorizationCount?: number | undefined
}

function tokens(data: Uint8Array): { zero: number; nonZero: number } {
  let zero = 0
  for (let i = 0; i < data.length; i++) if (data[i] === 0) zero++
  return { zero, nonZero: data.length - zero }
}

/**
 * The gas a transaction pays before any execution (Shanghai rules and later): base cost, calldata,
 * contract creation with EIP-3860 init code words, access list and EIP-7702 authorizations.
 *
 * @example
 * ```ts
 * intrinsicGas({ to: '0x..', data: new Uint8Array(), accessList: [] }) // 21000n
 * ```
 */
export function intrinsicGas(tx: IntrinsicGasInput): bigint {
  const { zero, nonZero } = tokens(tx.data)
  let gas = 21_000n + BigInt(zero) * 4n + BigInt(nonZero) * 16n
  if (tx.to === null) gas += 32_000n + BigInt(Math.ceil(tx.data.length / 32)) * 2n
  for (const item of tx.accessList) gas += 2_400n + BigInt(item.storageKeys.length) * 1_900n
  if (tx.authorizationCount) gas += BigInt(tx.authorizationCount) * 25_000n
  return gas
}

/**
 * EIP-7623 (Prague): the least gas a transaction is charged, from its calldata tokens; 0 before Prague.
 *
 * @example
 * ```ts
 * calldataFloorGas(new Uint8Array(10), 'prague') // 21100n
 * ```
 */
export function calldataFloorGas(data: Uint8Array, hardfork: Hardfork): bigint {
  if (hardfork !== 'prague') return 0n
  const { zero, nonZero } = tokens(data)
  return 21_000n + 10n * (BigInt(zero) + 4n * BigInt(nonZero))
}
