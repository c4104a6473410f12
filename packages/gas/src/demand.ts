import type { Address, GasStore } from '@appchain/core'

/** Demand is kept in millionths of a transaction per block, so decay keeps fractions without floats. */
export const DEMAND_UNIT = 1_000_000n
const SCALE = 10n ** 18n
/** The fixed-point scale of `decay`'s factor (a one-block step is `v × ⌊keepPpm × SCALE / 10^6⌋ / SCALE`). */
export const DECAY_SCALE = SCALE
const M192 = (1n << 192n) - 1n

/**
 * `value × keep^blocks` in integer arithmetic (`keepPpm` is the fraction kept per block, in millionths),
 * by squaring, so a long-idle account costs a few multiplications, not one per block.
 *
 * @example
 * ```ts
 * decay(8_000_000n, 500_000n, 3n) // 1_000_000n: halved three times
 * ```
 */
export function decay(value: bigint, keepPpm: bigint, blocks: bigint): bigint {
  let result = value
  let factor = (keepPpm * SCALE) / 1_000_000n
  let k = blocks
  while (k > 0n && result > 0n) {
    if (k & 1n) result = (result * factor) / SCALE
    factor = (factor * factor) / SCALE
    k >>= 1n
  }
  return result
}

/** The stored demand of an account: the block it was last updated at and its value after that block. */
export async function readDemand(store: GasStore, key: string): Promise<{ block: bigint; demand: bigint }> {
  return decodeDemand(await store.get(key))
}

/** `encodeDemand`'s value back as the block and the demand after it. */
export function decodeDemand(v: bigint): { block: bigint; demand: bigint } {
  return { block: v >> 192n, demand: v & M192 }
}

export async function writeDemand(store: GasStore, key: string, block: bigint, demand: bigint): Promise<void> {
  await store.set(key, encodeDemand(block, demand))
}

/** The stored form of an account's demand: the block in the top 64 bits, the value (saturated) below. */
export function encodeDemand(block: bigint, demand: bigint): bigint {
  return (block << 192n) | (demand > M192 ? M192 : demand)
}

/** The `GasStore` key of an account's demand. */
export function demandKey(namespace: string, account: Address | string): string {
  return `${namespace}/${account.toLowerCase()}`
}
