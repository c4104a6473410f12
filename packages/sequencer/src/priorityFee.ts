import type { OrderingPolicy } from '@appchain/core'
import { mergeQueues } from './mergeQueues.js'

/**
 * Highest `gas.priority` first (the effective tip per gas for EIP-1559), merged over the senders' queues so each
 * sender's nonce order holds (a sender's next transaction competes only once the one before it is out).
 * Ties go to the earlier arrival.
 *
 * @example
 * ```ts
 * createSequencer({ vm, gas: eip1559(), chain, ordering: priorityFee() })
 * ```
 */
export function priorityFee(): OrderingPolicy {
  return {
    name: 'priority-fee',
    order(pending, { block, gas }) {
      const arrival = pending.arrival?.bind(pending)
      return mergeQueues(
        pending,
        (tx) => gas.priority(tx, block.fees),
        arrival ? (tx) => arrival(tx) : (_tx, senderIndex, i) => i * 1_000_000 + senderIndex,
      )
    },
  }
}
