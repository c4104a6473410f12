// Shared layout of bench/shardedPrototype.ts and bench/shardedWorker.ts (issue 6, round 5): one fixed-size record
// per transaction in a SharedArrayBuffer every worker reads, the status bytes every worker writes for its own
// senders, and a sense-reversing barrier on an Int32Array (workers block in Atomics.wait; the main thread never does).

/** Bytes per packed transaction. */
export const TX_BYTES = 164
/** Field offsets inside a packed transaction (integers big-endian, addresses raw). */
export const F = {
  sender: 0,
  to: 20,
  /** uint256 */
  amount: 40,
  /** uint64 */
  nonce: 72,
  /** uint64 */
  gasLimit: 80,
  /** uint64: the method's static gas, what the transaction is charged whatever happens */
  intrinsicGas: 88,
  /** uint256 */
  maxFeePerGas: 96,
  /** uint256 */
  maxPriorityFeePerGas: 128,
  /** FLAG_* bits */
  flags: 160,
} as const
/** The transaction declares both accounts `transfer` writes (else the program fails it: charged, state untouched). */
export const FLAG_DECLARED = 1
/** The transaction names a fee token (eip1559 excludes it). */
export const FLAG_FEE_TOKEN = 2

/** Status byte per transaction, written by the worker that owns its sender. */
export const S = { excluded: 1, success: 2, reverted: 3, deferred: 4 } as const

/** Int32 slots of the sync array. */
export const SYNC = { arrived: 0, generation: 1, deferred: 2 } as const
export const SYNC_SLOTS = 4

/** The buffers of one block size, allocated once and reused block after block (a node would keep them too). */
export interface SharedBlock {
  /** `TX_BYTES` per transaction. */
  txs: SharedArrayBuffer
  /** keccak(sender) | keccak(to) per transaction, 64 bytes each, hashed once by whichever worker owns that range. */
  hashes: SharedArrayBuffer
  /** One status byte per transaction. */
  status: SharedArrayBuffer
  /** 32 bytes per transaction: the balance of a deferred sender at the start of the transfer phase (see the worker). */
  bases: SharedArrayBuffer
  /** 32 bytes per worker: the sum of its senders' priority fees (credited to the coinbase by its owner). */
  tips: SharedArrayBuffer
  /** Raw transactions packed end to end (transactions root), grown when a block needs more. */
  raws: SharedArrayBuffer
  /** End offset of each raw transaction. */
  rawEnds: SharedArrayBuffer
  /** Per worker: the encoded receipts of the transactions whose sender it owns, end to end (grown as needed). */
  receipts: SharedArrayBuffer[]
  /** Per transaction: the worker that encoded its receipt, its offset and length there (Uint32 triples). */
  receiptAt: SharedArrayBuffer
  sync: SharedArrayBuffer
}

export function sharedBlock(n: number, workers: number): SharedBlock {
  return {
    txs: new SharedArrayBuffer(n * TX_BYTES),
    hashes: new SharedArrayBuffer(n * 64),
    status: new SharedArrayBuffer(n),
    bases: new SharedArrayBuffer(n * 32),
    tips: new SharedArrayBuffer(workers * 32),
    raws: new SharedArrayBuffer(n * 256),
    rawEnds: new SharedArrayBuffer(n * 4),
    receipts: Array.from({ length: workers }, () => new SharedArrayBuffer(n * 512)),
    receiptAt: new SharedArrayBuffer(n * 12),
    sync: new SharedArrayBuffer(SYNC_SLOTS * 4),
  }
}

/** Waits until all `parties` threads arrived (reusable: the generation counter tells rounds apart). */
export function barrier(sync: Int32Array, parties: number): void {
  if (parties === 1) return
  const generation = Atomics.load(sync, SYNC.generation)
  if (Atomics.add(sync, SYNC.arrived, 1) === parties - 1) {
    Atomics.store(sync, SYNC.arrived, 0)
    Atomics.add(sync, SYNC.generation, 1)
    Atomics.notify(sync, SYNC.generation)
    return
  }
  while (Atomics.load(sync, SYNC.generation) === generation) Atomics.wait(sync, SYNC.generation, generation)
}

/** A uint256 written big-endian into 32 bytes at `at`. */
export function writeUint256(view: DataView, at: number, v: bigint): void {
  if (v < 1n << 64n) {
    for (let k = 0; k < 24; k += 8) view.setBigUint64(at + k, 0n)
    view.setBigUint64(at + 24, v)
    return
  }
  for (let k = 24; k >= 0; k -= 8) {
    view.setBigUint64(at + k, v & 0xffffffffffffffffn)
    v >>= 64n
  }
}

/** The uint256 at `at` (one getBigUint64 when it fits 64 bits, as fees and amounts do). */
export function readUint256(view: DataView, at: number): bigint {
  if (view.getBigUint64(at) === 0n && view.getBigUint64(at + 8) === 0n && view.getBigUint64(at + 16) === 0n)
    return view.getBigUint64(at + 24)
  let v = 0n
  for (let k = 0; k < 32; k += 8) v = (v << 64n) | view.getBigUint64(at + k)
  return v
}
