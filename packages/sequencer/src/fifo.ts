import type { OrderingPolicy } from '@appchain/core'
import { mergeQueues } from './mergeQueues.js'

/**
 * First come, first served: transactions in the order the pool admitted them (round-robin over senders when the
 * view does not know arrivals), each sender's nonce order kept.
 *
 * @example
 * ```ts
 * createSequencer({ vm, gas, chain, ordering: fifo() })
 * ```
 */
export function fifo(): OrderingPolicy {
  return {
    name: 'fifo',
    order(pending) {
      const arrival = pending.arrival?.bind(pending)
      return mergeQueues(
        pending,
        () => 0n,
        arrival ? (tx) => arrival(tx) : (_tx, senderIndex, i) => i * 1_000_000 + senderIndex,
      )
    },
  }
}
