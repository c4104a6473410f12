import type { Receipt } from '@appchain/core'
import { bigintToBytes, rlpEncode } from '@appchain/core'
import { fastHexToBytes } from './hex.js'
import { PARALLEL_TX_TYPE } from './tx.js'

/** Receipt bytes committed in `receiptsRoot`: `0x70 || rlp([status, cumulativeGasUsed, logsBloom, logs])`. */
export function encodeReceipt(r: Receipt, bloom: Uint8Array = fastHexToBytes(r.logsBloom)): Uint8Array {
  const body = rlpEncode([
    r.status === 'success' ? new Uint8Array([1]) : new Uint8Array(),
    bigintToBytes(r.cumulativeGasUsed),
    bloom,
    r.logs.map((l) => [fastHexToBytes(l.address), l.topics.map((t) => fastHexToBytes(t)), fastHexToBytes(l.data)]),
  ])
  const out = new Uint8Array(body.length + 1)
  out[0] = PARALLEL_TX_TYPE
  out.set(body, 1)
  return out
}
