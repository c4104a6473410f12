import {
  concatBytes,
  EMPTY_TRIE_ROOT,
  type Hex,
  keccak256,
  type Log,
  type Receipt,
  type Withdrawal,
} from '@appchain/core'
import { orderedTrieRoot } from '@appchain/state'
import { toRlp } from 'viem'
import { toHex as bytesToHex, fromHex as hexToBytes } from './hex.js'

function uint(v: bigint): Uint8Array {
  if (v === 0n) return new Uint8Array()
  let h = v.toString(16)
  if (h.length % 2) h = `0${h}`
  return hexToBytes(h)
}

/** The byte forms of a receipt's bloom and logs, as the interpreter produced them. */
interface RawReceiptParts {
  logs: readonly Log[]
  logsBloom: Hex
  rawLogs: readonly (readonly [Uint8Array, readonly Uint8Array[], Uint8Array])[]
  rawBloom: Uint8Array
}

const rawParts = new WeakMap<Receipt, RawReceiptParts>()

/**
 * Remembers the bytes a receipt's hex `logs` and `logsBloom` were made from, so `encodeReceipt` (the
 * receipts root) need not parse the hex back. Used only while the receipt still holds that same logs array
 * and bloom string; a receipt copied or given other logs is encoded from its hex as before.
 *
 * @example
 * ```ts
 * rememberRawParts(receipt, exec.logs, bloomBytes)
 * ```
 */
export function rememberRawParts(receipt: Receipt, rawLogs: RawReceiptParts['rawLogs'], rawBloom: Uint8Array): Receipt {
  rawParts.set(receipt, { logs: receipt.logs, logsBloom: receipt.logsBloom, rawLogs, rawBloom })
  return receipt
}

/** RLP item of a list of logs, as receipts and the state tests' logs hash carry them. */
export function logsRlpItem(logs: readonly Log[]): Uint8Array[][] {
  return logs.map((l) => [hexToBytes(l.address), l.topics.map(hexToBytes), hexToBytes(l.data)] as never)
}

/**
 * The consensus encoding of a receipt (EIP-2718: the type byte first for typed transactions):
 * `rlp([status, cumulativeGasUsed, logsBloom, logs])`.
 *
 * @example
 * ```ts
 * encodeReceipt(receipt) // Uint8Array
 * ```
 */
export function encodeReceipt(r: Receipt): Uint8Array {
  const raw = rawParts.get(r)
  const fresh = raw !== undefined && raw.logs === r.logs && raw.logsBloom === r.logsBloom
  const body = toRlp(
    [
      r.status === 'success' ? new Uint8Array([1]) : new Uint8Array(),
      uint(r.cumulativeGasUsed),
      fresh ? raw.rawBloom : hexToBytes(r.logsBloom),
      (fresh ? raw.rawLogs : logsRlpItem(r.logs)) as never,
    ],
    'bytes',
  )
  return r.type === 0 ? body : concatBytes(new Uint8Array([r.type]), body)
}

/**
 * keccak256 of the RLP of logs: the `logs` field of ethereum/tests state tests.
 *
 * @example
 * ```ts
 * logsHash([]) // '0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347'
 * ```
 */
export function logsHash(logs: readonly Log[]): Hex {
  return bytesToHex(keccak256(toRlp(logsRlpItem(logs) as never, 'bytes')))
}

/**
 * The receipts root, equal to Ethereum's: the ordered trie of encoded receipts.
 *
 * @example
 * ```ts
 * receiptsRoot(execution.receipts)
 * ```
 */
export function receiptsRoot(receipts: readonly Receipt[]): Hex {
  return receipts.length === 0 ? EMPTY_TRIE_ROOT : orderedTrieRoot(receipts.map(encodeReceipt))
}

/**
 * The transactions root, equal to Ethereum's: the ordered trie of raw (EIP-2718) transactions.
 *
 * @example
 * ```ts
 * transactionsRoot(block.transactions)
 * ```
 */
export function transactionsRoot(raws: readonly Uint8Array[]): Hex {
  return raws.length === 0 ? EMPTY_TRIE_ROOT : orderedTrieRoot(raws)
}

/**
 * The withdrawals root: the ordered trie of the withdrawal hashes of the block's L2→L1 messages, in
 * the order the message passer recorded them (empty trie root when none).
 *
 * @example
 * ```ts
 * withdrawalsRoot(execution.withdrawals)
 * ```
 */
export function withdrawalsRoot(withdrawals: readonly Withdrawal[]): Hex {
  return withdrawals.length === 0 ? EMPTY_TRIE_ROOT : orderedTrieRoot(withdrawals.map((w) => hexToBytes(w.hash)))
}
