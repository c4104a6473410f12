import type { Hex } from '../types.js'

/** Where a blob landed on a DA layer. */
export interface DaRef {
  /** DA height (L1 block number, Celestia height, local sequence). */
  height: bigint
  /** Adapter-specific id within the height (tx hash, commitment, index). */
  id: Hex
}

/**
 * A data-availability layer. `submit` resolves once the blobs are included; failures are either
 * `DaRetryableError` (try again) or `DaFatalError` (never will succeed as is).
 */
export interface DaAdapter {
  readonly name: string
  readonly maxBlobSize: number
  submit(blobs: Uint8Array[]): Promise<DaRef[]>
  get(ref: DaRef): Promise<Uint8Array>
  /** Every blob at a height, in submission order; followers scan heights in order. */
  getAll(height: bigint): Promise<{ ref: DaRef; data: Uint8Array }[]>
  head(): Promise<bigint>
  close(): Promise<void>
}
