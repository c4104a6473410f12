import type { Block, BlockExecution, BlockHeader, DbOp, Deposit, Hex, StateDb } from '@appchain/core'

/** A block the sequencer built and executed, with the state ops that persist its post state. */
export interface SealedBlock {
  /** `hash` = `hashHeader(header)`; `transactions` are the raw included transactions in order. */
  block: Block
  execution: BlockExecution
  /** From `state.flush()`, to be written in the same atomic batch as the block. */
  stateOps: DbOp[]
}

/** What the node gives the sequencer: the head, the live state, and sealing. */
export interface SequencerChain {
  head(): { header: BlockHeader; hash: Hex }
  /** Latest state; the sequencer executes on it inside a checkpoint and flushes. */
  state(): StateDb
  /** Writes block + receipts + indexes + `sealed.stateOps` in one atomic Db batch, then moves the head. */
  seal(sealed: SealedBlock): Promise<void>
  /** L1 deposits not yet included, to go first into the next block. */
  deposits?(): Promise<Deposit[]>
  /** Hash of an ancestor block (BLOCKHASH). */
  blockHash?(n: bigint): Hex | undefined
}

/** A pino-compatible logger (only the levels the sequencer uses). */
export interface SequencerLogger {
  debug?(obj: object, msg?: string): void
  info?(obj: object, msg?: string): void
  warn?(obj: object, msg?: string): void
  error?(obj: object, msg?: string): void
}
