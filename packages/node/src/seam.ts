import type { Address, BaseError, Hex, TxEnvelope } from '@appchain/core'
import type { Preconfirmation, SealedBlock } from '@appchain/sequencer'

// The node's side of the seam with @appchain/sequencer (docs/sequencer-node-seam.md): the shared types come
// from the sequencer; these narrow views are what the node uses of it.
export type { Preconfirmation, SealedBlock, SequencerChain } from '@appchain/sequencer'

/** The part of the mempool the node reads (pending lookups, pending nonces, size). */
export interface MempoolView {
  readonly count: number
  get(hash: Hex): TxEnvelope | undefined
  has(hash: Hex): boolean
  pendingNonce(sender: Address): bigint | undefined
}

/** The sequencer as the node drives it. */
export interface SequencerHandle {
  mempool: MempoolView
  submit(raws: Uint8Array[]): Promise<(TxEnvelope | BaseError)[]>
  start(): void
  stop(): Promise<void>
  buildNow(): Promise<SealedBlock | undefined>
  onPreconfirmation(cb: (p: Preconfirmation) => void): () => void
  onBlock(cb: (b: SealedBlock) => void): () => void
  onPendingTx(cb: (tx: TxEnvelope) => void): () => void
  /** Runs `fn` while no block work runs (VM calls share the interpreter with the open block). */
  runExclusive<T>(fn: () => Promise<T> | T): Promise<T>
}
