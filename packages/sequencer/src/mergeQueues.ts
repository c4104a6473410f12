import type { PendingView, TxEnvelope } from '@appchain/core'
import { createHeap } from './heap.js'

interface Cursor {
  queue: readonly TxEnvelope[]
  i: number
  key: bigint
  sender: number
  /** Tie-break: arrival, then the sender's position, so the merge is deterministic. */
  tie: number
}

/**
 * Lazily merges the senders' nonce-ordered queues: at each step the head with the highest `key` goes next,
 * so each sender's nonce order holds whatever the keys say.
 */
export function* mergeQueues(
  pending: PendingView,
  key: (tx: TxEnvelope) => bigint,
  tie: (tx: TxEnvelope, senderIndex: number, i: number) => number,
): Generator<TxEnvelope> {
  const heap = createHeap<Cursor>((a, b) => (a.key !== b.key ? a.key > b.key : a.tie < b.tie))
  let s = 0
  for (const sender of pending.senders()) {
    const queue = pending.queue(sender)
    const head = queue[0]
    if (head) heap.push({ queue, i: 0, key: key(head), sender: s, tie: tie(head, s, 0) })
    s++
  }
  while (heap.size > 0) {
    const c = heap.pop()!
    const tx = c.queue[c.i]!
    yield tx
    c.i++
    const next = c.queue[c.i]
    if (next) {
      c.key = key(next)
      c.tie = tie(next, c.sender, c.i)
      heap.push(c)
    }
  }
}
