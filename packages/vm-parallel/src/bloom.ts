import type { Hex, Log } from '@appchain/core'
import { addToBloom, bytesToHex } from '@appchain/core'
import { fastHexToBytes } from './hex.js'

const cache = new Map<string, { bytes: Uint8Array; hex: Hex }>()
const single = new Map<string, Map<string, { bytes: Uint8Array; hex: Hex }>>()
const EMPTY = { bytes: new Uint8Array(256), hex: bytesToHex(new Uint8Array(256)) }

/**
 * The logs bloom of a receipt (Ethereum's 2048-bit filter), memoised by the logs' addresses and topics:
 * a block of transfers hashes its one (address, topic) pair once instead of once per receipt.
 */
export function receiptBloom(logs: readonly Log[]): { bytes: Uint8Array; hex: Hex } {
  if (logs.length === 0) return EMPTY
  // One log with one topic (a transfer): looked up by its two strings, which a block's logs share, so their
  // hashes are computed once; no key string is built per receipt.
  const only = logs.length === 1 ? logs[0]! : undefined
  if (only && only.topics.length === 1) {
    let byTopic = single.get(only.address)
    if (!byTopic) {
      if (single.size > 4096) single.clear()
      byTopic = new Map()
      single.set(only.address, byTopic)
    }
    let b = byTopic.get(only.topics[0]!)
    if (!b) {
      b = build(logs)
      if (byTopic.size > 4096) byTopic.clear()
      byTopic.set(only.topics[0]!, b)
    }
    return b
  }
  let key = ''
  for (const l of logs) key += `${l.address}${l.topics.join('')};`
  let b = cache.get(key)
  if (!b) {
    b = build(logs)
    if (cache.size > 4096) cache.clear()
    cache.set(key, b)
  }
  return b
}

function build(logs: readonly Log[]): { bytes: Uint8Array; hex: Hex } {
  const bytes = new Uint8Array(256)
  for (const l of logs) {
    addToBloom(bytes, fastHexToBytes(l.address))
    for (const t of l.topics) addToBloom(bytes, fastHexToBytes(t))
  }
  return { bytes, hex: bytesToHex(bytes) }
}
