import type { Hex } from 'viem'
import WebSocket from 'ws'
import type { SignedTx } from './workload.js'

export interface LatencyResult {
  offered: number
  receipt: { p50: number; p99: number; seen: number }
  preconf: { p50: number; p99: number; seen: number } | undefined
}

const pct = (xs: number[], p: number) => {
  if (!xs.length) return Number.NaN
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!
}

/**
 * Offers `rate` tx/s for the given transactions over one WebSocket (one `eth_sendRawTransaction` message each) and
 * measures send -> receipt (the newHeads notification of the block that holds it) and, where the node has them,
 * send -> preconfirmation (the `appchain_preconfirmations` notification).
 */
export async function latency(
  wsUrl: string,
  txs: SignedTx[],
  rate: number,
  preconfirmations: boolean,
  warmup: SignedTx[] = [],
): Promise<LatencyResult> {
  const ws = new WebSocket(wsUrl)
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))
  const sentAt = new Map<Hex, number>()
  const receipt: number[] = []
  const preconf: number[] = []
  let nextId = 1_000_000
  const waiting = new Map<number, (result: unknown) => void>()
  const call = (method: string, params: unknown[]) =>
    new Promise<unknown>((resolve) => {
      const id = nextId++
      waiting.set(id, resolve)
      ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }))
    })
  let headsSub: string | undefined
  let preconfSub: string | undefined
  const seen = new Set<Hex>()
  ws.on('message', (data) => {
    const now = performance.now()
    const msg = JSON.parse(data.toString()) as {
      id?: number
      result?: unknown
      method?: string
      params?: { subscription: string; result: Record<string, Hex> }
    }
    if (msg.id !== undefined) {
      waiting.get(msg.id)?.(msg.result)
      waiting.delete(msg.id)
      return
    }
    if (msg.method !== 'eth_subscription' || !msg.params) return
    if (msg.params.subscription === preconfSub) {
      const t = sentAt.get(msg.params.result.txHash!)
      if (t !== undefined) preconf.push(now - t)
    } else if (msg.params.subscription === headsSub) {
      // The head arrives once the block and its receipts are stored: that instant is receipt time.
      void call('eth_getBlockByNumber', [msg.params.result.number, false]).then((block) => {
        for (const h of (block as { transactions: Hex[] } | null)?.transactions ?? []) {
          const t = sentAt.get(h)
          if (t !== undefined && !seen.has(h)) {
            seen.add(h)
            receipt.push(now - t)
          }
        }
      })
    }
  })
  headsSub = (await call('eth_subscribe', ['newHeads'])) as string
  if (preconfirmations) preconfSub = (await call('eth_subscribe', ['appchain_preconfirmations'])) as string

  // Warm-up (worker pools, JIT) outside the measurement: send, wait until all are in blocks, then forget them.
  for (const tx of warmup) {
    sentAt.set(tx.hash, performance.now())
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: -1, method: 'eth_sendRawTransaction', params: [tx.raw] }))
  }
  const warmDeadline = performance.now() + 60_000
  while (warmup.some((tx) => !seen.has(tx.hash)) && performance.now() < warmDeadline)
    await new Promise((r) => setTimeout(r, 20))
  sentAt.clear()
  receipt.length = 0
  preconf.length = 0
  seen.clear()

  const t0 = performance.now()
  let i = 0
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(txs.length, Math.floor(((performance.now() - t0) * rate) / 1000) + 1)
      for (; i < due; i++) {
        const tx = txs[i]!
        sentAt.set(tx.hash, performance.now())
        ws.send(JSON.stringify({ jsonrpc: '2.0', id: i, method: 'eth_sendRawTransaction', params: [tx.raw] }))
      }
      if (i < txs.length) setTimeout(tick, 1)
      else resolve()
    }
    tick()
  })
  const deadline = performance.now() + 30_000
  while (seen.size < txs.length && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20))
  ws.close()
  return {
    offered: rate,
    receipt: { p50: pct(receipt, 50), p99: pct(receipt, 99), seen: seen.size },
    preconf: preconfirmations ? { p50: pct(preconf, 50), p99: pct(preconf, 99), seen: preconf.length } : undefined,
  }
}
