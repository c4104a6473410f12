import type { Address, GasStore } from '@appchain/core'

/** Usage of one account in the current quota window. `mark` is model-specific (rateLimited: last free nonce + 1). */
export interface WindowUsage {
  txs: bigint
  gas: bigint
  mark: bigint
}

const M64 = (1n << 64n) - 1n
const M96 = (1n << 96n) - 1n

/**
 * Windows are aligned to multiples of `windowBlocks`, so every node agrees on when one resets.
 *
 * @example
 * ```ts
 * windowOf(250n, 100n) // { index: 2n, resetsAtBlock: 300n }
 * ```
 */
export function windowOf(blockNumber: bigint, windowBlocks: bigint): { index: bigint; resetsAtBlock: bigint } {
  const index = blockNumber / windowBlocks
  return { index, resetsAtBlock: (index + 1n) * windowBlocks }
}

/**
 * `blockNumber / windowBlocks`, remembering the last block asked about (one bigint division per block, not
 * per call): the models ask for the window of the same block many times.
 *
 * @example
 * ```ts
 * const windowIndex = windowIndexer(100n)
 * windowIndex(250n) // 2n
 * ```
 */
export function windowIndexer(windowBlocks: bigint): (blockNumber: bigint) => bigint {
  let lastBlock = -1n
  let lastWindow = 0n
  return (blockNumber) => {
    if (blockNumber !== lastBlock) {
      lastWindow = blockNumber / windowBlocks
      lastBlock = blockNumber
    }
    return lastWindow
  }
}

/** The `GasStore` key of an account's usage under a model's namespace (addresses are lower-case in appchain). */
export function usageKey(namespace: string, address: Address): string {
  return `${namespace}/${address}`
}

// One 256-bit value per account (one storage slot in the EVM): window 64 | txs 32 | mark 64 | gas 96 bits.
// Fields saturate instead of wrapping, so a huge count can only over-state usage, never reset it.

const EMPTY: WindowUsage = Object.freeze({ txs: 0n, gas: 0n, mark: 0n })

/** Decodes a stored usage value; a value from an older window decodes as zero (the window reset). */
export function decodeUsage(v: bigint, window: bigint): WindowUsage {
  if (v === 0n || v >> 192n !== window) return EMPTY
  return { txs: (v >> 160n) & 0xffff_ffffn, mark: (v >> 96n) & M64, gas: v & M96 }
}

const sat = (x: bigint, max: bigint) => (x > max ? max : x)

/** Encodes usage in `window` as one 256-bit value. */
export function encodeUsage(window: bigint, u: WindowUsage): bigint {
  return (sat(window, M64) << 192n) | (sat(u.txs, 0xffff_ffffn) << 160n) | (sat(u.mark, M64) << 96n) | sat(u.gas, M96)
}

/** Reads an account's usage; a value from an older window reads as zero (the window reset). */
export async function readUsage(store: GasStore, key: string, window: bigint): Promise<WindowUsage> {
  return decodeUsage(await store.get(key), window)
}

export function writeUsage(store: GasStore, key: string, window: bigint, u: WindowUsage): Promise<void> {
  return store.set(key, encodeUsage(window, u))
}
