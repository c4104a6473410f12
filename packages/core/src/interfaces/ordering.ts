import type { BlockContext, TxEnvelope } from '../types.js'
import type { GasModel } from './gasModel.js'

/** The executable part of the mempool: per sender, transactions in nonce order with no gaps. */
export interface PendingView {
  senders(): Iterable<TxEnvelope['sender']>
  /** The sender's executable transactions, lowest nonce first. */
  queue(sender: TxEnvelope['sender']): readonly TxEnvelope[]
  /** When the pool admitted the transaction (a monotonic sequence number); lets `fifo()` order by arrival. */
  arrival?(tx: TxEnvelope): number
}

/**
 * Decides the order of transactions in a block. Must keep each sender's nonce order, yield each
 * transaction at most once and only transactions from `pending`. The block builder stops pulling when full.
 */
export interface OrderingPolicy {
  readonly name: string
  order(pending: PendingView, ctx: { block: BlockContext; gas: GasModel }): Iterable<TxEnvelope>
}
