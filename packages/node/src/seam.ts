import type {
  Address,
  BaseError,
  Block,
  BlockExecution,
  BlockHeader,
  DbOp,
  Deposit,
  Hex,
  StateDb,
  TxEnvelope,
} from '@appchain/core'

// The seam between @appchain/sequencer and @appchain/node (docs/sequencer-node-seam.md), typed on the node's
// side so the node depends only on what it uses of the sequencer.

/** A block the sequencer built and executed, with the state ops that persist its post state. */
export interface SealedBlock {
  block: Block
  execution: BlockExecution
  /** From `state.flush()`, in the state's own key space. */
  stateOps: DbOp[]
}

/** What the node gives the sequencer: the head, the live state, and sealing. */
export interface SequencerChain {
  head(): { header: BlockHeader; hash: Hex }
  /** Latest state; the sequencer executes on it inside a checkpoint and flushes. */
  state(): StateDb
  /** Writes block + receipts + indexes + state ops in one atomic batch, then moves the head. */
  seal(sealed: SealedBlock): Promise<void>
  deposits?(): Promise<Deposit[]>
  blockHash?(n: bigint): Hex | undefined
}

/** A sequencer's signed promise that a transaction is at `index` of block `blockNumber`. */
export interface Preconfirmation {
  txHash: Hex
  blockNumber: bigint
  index: number
  sequencer: Address
  signature: Hex
}

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
