import type { Hex, Log } from '@appchain/core'
import { addToBloom, bytesToHex } from '@appchain/core'
import { fastHexToBytes } from './hex.js'

const cache = new Map<string, { bytes: Uint8Array; hex: Hex }>()
const EMPTY = { bytes: new Uint8Array(256), hex: bytesToHex(new Uint8Array(256)) }

/**
 * The logs bloom of a receipt (Ethereum's 2048-bit filter), memoised by the logs' addresses and topics:
 * a block of transfers hashes its one (address, topic) pair once instead of once per receipt.
 */
export function receiptBloom(logs: readonly Log[]): { bytes: Uint8Array; hex: Hex } {
  if (logs.length === 0) return EMPTY
  let key = ''
  for (const l of logs) key += `${l.address}${l.topics.join('')};`
  let b = cache.get(key)
  if (!b) {
    const bytes = new Uint8Array(256)
    for (const l of logs) {
      addToBloom(bytes, fastHexToBytes(l.address))
      for (const t of l.topics) addToBloom(bytes, fastHexToBytes(t))
    }
    b = { bytes, hex: bytesToHex(bytes) }
    if (cache.size > 4096) cache.clear()
    cache.set(key, b)
  }
  return b
}
