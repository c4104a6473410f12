import type { Hex } from 'viem'
import { httpConnection } from './rpcClient.js'
import type { SignedTx } from './workload.js'

const BATCH = 250
const CONNECTIONS = 4

/**
 * After a warm-up (`warmup`, not measured), sends every transaction in JSON-RPC batches from 4 keep-alive connections (each sender's transactions on one
 * connection, in nonce order), then polls receipts in batches until every one is seen.
 * Returns transactions per second from the first send to the last receipt.
 */
export async function throughput(
  url: string,
  bySender: SignedTx[][],
  nudge?: () => Promise<void>,
  warmup: SignedTx[] = [],
  connections = CONNECTIONS,
): Promise<{ txs: number; ms: number; sendMs: number; tps: number; refused: number; seen: number; complete: boolean }> {
  const conns = Array.from({ length: connections }, () => httpConnection(url))
  const streams: SignedTx[][] = Array.from({ length: connections }, () => [])
  const perSender = bySender[0]?.length ?? 0
  // Round-robin nonces across the senders of a stream: every batch carries many senders, nonces ascending.
  for (let n = 0; n < perSender; n++) bySender.forEach((txs, i) => streams[i % connections]!.push(txs[n]!))
  const all = bySender.flat()
  let refused = 0
  let firstError: unknown
  if (warmup.length) await warm(conns[0]!, warmup, nudge)
  const t0 = performance.now()
  await Promise.all(
    streams.map(async (txs, c) => {
      for (let i = 0; i < txs.length; i += BATCH) {
        const body = txs
          .slice(i, i + BATCH)
          .map((tx, j) => ({ jsonrpc: '2.0', id: i + j, method: 'eth_sendRawTransaction', params: [tx.raw] }))
        // A batch that gets no answer (anvil's automine under this flood) counts as refused; the run goes on and
        // reports the receipts that do arrive, marked as a stall.
        const replies = (await conns[c]!.call(body).catch((err: Error) =>
          body.map(() => ({ error: err.message })),
        )) as { error?: unknown }[]
        for (const r of Array.isArray(replies) ? replies : [replies]) {
          if (r.error) {
            refused++
            firstError ??= r.error
          }
        }
      }
    }),
  )
  const sendMs = performance.now() - t0
  // Receipts: per sender, poll only its last transaction (nonces are sequential, so once it is mined all of the
  // sender's are): one lookup per unfinished sender per round; then every receipt is fetched once to confirm.
  const done = bySender.map(() => false)
  let progressAt = performance.now()
  let lastReceiptAt = performance.now()
  let nudges = 0
  let stalled = false
  const poll = async (hashes: Hex[]): Promise<Set<Hex>> => {
    const found = new Set<Hex>()
    const chunk = Math.ceil(hashes.length / connections)
    await Promise.all(
      conns.map(async (conn, c) => {
        const mine = hashes.slice(c * chunk, (c + 1) * chunk)
        for (let i = 0; i < mine.length; i += 500) {
          const body = mine
            .slice(i, i + 500)
            .map((h, j) => ({ jsonrpc: '2.0', id: j, method: 'eth_getTransactionReceipt', params: [h] }))
          const replies = (await conn.call(body).catch(() => [])) as { result?: { transactionHash: Hex } | null }[]
          for (const r of replies) if (r.result) found.add(r.result.transactionHash)
        }
      }),
    )
    return found
  }
  for (;;) {
    const frontier = bySender.flatMap((txs, i) => (done[i] ? [] : [txs[txs.length - 1]!.hash]))
    if (!frontier.length) break
    const found = await poll(frontier)
    bySender.forEach((txs, i) => {
      if (found.has(txs[txs.length - 1]!.hash)) done[i] = true
    })
    if (found.size) progressAt = lastReceiptAt = performance.now()
    else if (performance.now() - lastReceiptAt > 20_000) {
      // No receipt for 20 s (anvil's pool can wedge under bursts): report what was seen, marked incomplete.
      stalled = true
      break
    } else if (nudge && performance.now() - progressAt > 250) {
      nudges++
      await nudge()
      progressAt = performance.now()
    }
    if (frontier.length > found.size) await new Promise((r) => setTimeout(r, 20))
    if (performance.now() - t0 > 300_000)
      throw new Error(`receipts missing after 300 s (refused ${refused}: ${JSON.stringify(firstError)})`)
  }
  const seen = (await poll(all.map((t) => t.hash))).size
  if (!stalled && seen < all.length)
    throw new Error(`${all.length - seen} receipts missing after the last nonces were seen`)
  const ms = (stalled ? lastReceiptAt : performance.now()) - t0
  for (const c of conns) c.close()
  if (nudges) process.stdout.write(`(${nudges} evm_mine nudges) `)
  if (refused) console.error(`  ${refused} refused, first: ${JSON.stringify(firstError)}`)
  return { txs: all.length, ms, sendMs, tps: (seen / ms) * 1000, refused, seen, complete: !stalled }
}

/**
 * Warm-up outside the measurement (worker pools, JIT), the same for every target: the transactions in one batch
 * (enough for our node to recover their senders on its worker pool), then until each has a receipt.
 */
async function warm(conn: ReturnType<typeof httpConnection>, txs: SignedTx[], nudge?: () => Promise<void>) {
  await conn.call(txs.map((tx, i) => ({ jsonrpc: '2.0', id: i, method: 'eth_sendRawTransaction', params: [tx.raw] })))
  const deadline = performance.now() + 60_000
  while (performance.now() < deadline) {
    const replies = (await conn.call(
      txs.map((tx, i) => ({ jsonrpc: '2.0', id: i, method: 'eth_getTransactionReceipt', params: [tx.hash] })),
    )) as { result?: unknown }[]
    if (replies.every((r) => r.result)) return
    await new Promise((r) => setTimeout(r, 250))
    await nudge?.()
  }
  throw new Error('warm-up transactions got no receipts in 60 s')
}
