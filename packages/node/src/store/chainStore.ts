import type { Block, BlockExecution, BlockHeader, Db, DbOp, Hex, Log, Receipt } from '@appchain/core'
import { bloomMayContain, bytesToHex, concatBytes, hexToBytes } from '@appchain/core'
import {
  type BlockRecord,
  decodeBlock,
  decodeJson,
  decodeReceipts,
  encodeBlock,
  encodeJson,
  encodeReceipts,
  readU64,
  u64,
} from './codec.js'

/** Key prefix of the chain store in the node's Db ('c'); @appchain/state keeps to 'S', so both share one batch. */
export const CHAIN_PREFIX = 0x63

function prefixEnd(prefix: Uint8Array): Uint8Array {
  const end = prefix.slice()
  end[end.length - 1]!++
  return end
}

const key = (tag: string, ...parts: Uint8Array[]) =>
  concatBytes(new Uint8Array([CHAIN_PREFIX, tag.charCodeAt(0)]), ...parts)
const HEAD = key('H')
const META = (name: string) => key('m', new TextEncoder().encode(name))
const CANONICAL = (n: bigint) => key('n', u64(n))
const BLOCK = (hash: Hex) => key('b', hexToBytes(hash))
const RECEIPTS = (hash: Hex) => key('r', hexToBytes(hash))
const TX = (hash: Hex) => key('t', hexToBytes(hash))
const BLOOM = (n: bigint) => key('l', u64(n))
const PENDING = (hash: Hex) => key('p', hexToBytes(hash))
const PENDING_ALL = key('p')

/** Where a transaction sits in the chain. */
export interface TxLocation {
  blockHash: Hex
  blockNumber: bigint
  index: number
}

/** A log with its position in the chain, as `eth_getLogs` serves it. */
export interface ChainLog extends Log {
  blockNumber: bigint
  blockHash: Hex
  transactionHash: Hex
  transactionIndex: number
  logIndex: number
}

/** A log query: inclusive block range, address set and topic positions (null = any, array = one of). */
export interface LogQuery {
  fromBlock: bigint
  toBlock: bigint
  blockHash?: Hex | undefined
  addresses?: Hex[] | undefined
  topics?: (Hex | Hex[] | null)[] | undefined
}

/** The block, its receipts and everything needed to write both with the state in one batch. */
export interface SealInput {
  block: Block
  execution: BlockExecution
  stateOps: DbOp[]
}

/** True when a log matches the address set and topic positions of a query. */
export function logMatches(log: Log, query: Pick<LogQuery, 'addresses' | 'topics'>): boolean {
  if (query.addresses?.length && !query.addresses.includes(log.address.toLowerCase() as Hex)) return false
  const topics = query.topics ?? []
  for (let i = 0; i < topics.length; i++) {
    const want = topics[i]
    if (want === null || want === undefined) continue
    const got = log.topics[i]?.toLowerCase()
    if (got === undefined) return false
    if (Array.isArray(want) ? want.length > 0 && !want.includes(got as Hex) : want !== got) return false
  }
  return true
}

/** False when the block's bloom proves no log can match (cheap skip before reading receipts). */
export function bloomMayMatch(bloom: Uint8Array, query: Pick<LogQuery, 'addresses' | 'topics'>): boolean {
  if (query.addresses?.length && !query.addresses.some((a) => bloomMayContain(bloom, hexToBytes(a)))) return false
  for (const want of query.topics ?? []) {
    if (want === null || (Array.isArray(want) && want.length === 0)) continue
    const options = Array.isArray(want) ? want : [want]
    if (!options.some((t) => bloomMayContain(bloom, hexToBytes(t)))) return false
  }
  return true
}

/** The logs of one block's receipts, numbered as `eth_getLogs` numbers them. */
export function blockLogs(block: { hash: Hex; header: BlockHeader }, receipts: readonly Receipt[]): ChainLog[] {
  const out: ChainLog[] = []
  let logIndex = 0
  for (const r of receipts) {
    for (const log of r.logs) {
      out.push({
        ...log,
        blockNumber: block.header.number,
        blockHash: block.hash,
        transactionHash: r.transactionHash,
        transactionIndex: r.transactionIndex,
        logIndex: logIndex++,
      })
    }
  }
  return out
}

/**
 * Blocks by number and hash, receipts, the transaction index, per-block blooms for `eth_getLogs`,
 * the head and the persisted pending transactions, on the node's `Db`. Sealing a block is one atomic
 * batch that also carries the state's ops, so a crash leaves either the old head or the new one.
 *
 * @example
 * ```ts
 * const store = await createChainStore(memoryDb())
 * const head = store.head()
 * ```
 */
export async function createChainStore(db: Db, opts: { cacheBlocks?: number } = {}) {
  const cacheSize = opts.cacheBlocks ?? 256
  const blocks = new Map<Hex, BlockRecord>()
  const receiptsCache = new Map<Hex, Receipt[]>()
  const remember = <V>(cache: Map<Hex, V>, k: Hex, v: V) => {
    cache.set(k, v)
    if (cache.size > cacheSize) cache.delete(cache.keys().next().value as Hex)
  }
  // Where the transactions of the last `cacheSize` sealed blocks sit, so receipt polling of recent transactions
  // (the common case) needs no Db read; older ones are read from the 't' index.
  const recentTxs = new Map<Hex, TxLocation>()
  const recentBlocks: Hex[][] = []
  const rememberTxs = (block: BlockRecord, receipts: readonly Receipt[]) => {
    for (const r of receipts) {
      recentTxs.set(r.transactionHash, {
        blockHash: block.hash,
        blockNumber: block.header.number,
        index: r.transactionIndex,
      })
    }
    recentBlocks.push(block.txHashes)
    if (recentBlocks.length > cacheSize) for (const h of recentBlocks.shift()!) recentTxs.delete(h)
  }

  let head: BlockRecord | undefined
  const headHash = await db.get(HEAD)
  if (headHash) head = await getBlockByHash(bytesToHex(headHash))

  async function getBlockByHash(hash: Hex): Promise<BlockRecord | undefined> {
    const cached = blocks.get(hash)
    if (cached) return cached
    const bytes = await db.get(BLOCK(hash))
    if (!bytes) return undefined
    const block = decodeBlock(bytes)
    remember(blocks, hash, block)
    return block
  }

  async function getHashByNumber(n: bigint): Promise<Hex | undefined> {
    if (head && n > head.header.number) return undefined
    if (head && n === head.header.number) return head.hash
    const bytes = await db.get(CANONICAL(n))
    return bytes ? bytesToHex(bytes) : undefined
  }

  async function getReceipts(blockHash: Hex): Promise<Receipt[] | undefined> {
    const cached = receiptsCache.get(blockHash)
    if (cached) return cached
    const bytes = await db.get(RECEIPTS(blockHash))
    if (!bytes) return undefined
    const receipts = decodeReceipts(bytes)
    remember(receiptsCache, blockHash, receipts)
    return receipts
  }

  /** The ops that write a block, its receipts and indexes (without the head pointer). */
  function blockOps(block: Block, receipts: readonly Receipt[]): { ops: DbOp[]; record: BlockRecord } {
    const record: BlockRecord = { ...block, txHashes: receipts.map((r) => r.transactionHash) }
    const ops: DbOp[] = [
      { type: 'put', key: BLOCK(block.hash), value: encodeBlock(record) },
      { type: 'put', key: RECEIPTS(block.hash), value: encodeReceipts(receipts) },
      { type: 'put', key: CANONICAL(block.header.number), value: hexToBytes(block.hash) },
      { type: 'put', key: HEAD, value: hexToBytes(block.hash) },
    ]
    const hashBytes = hexToBytes(block.hash)
    for (const r of receipts) {
      const loc = new Uint8Array(44)
      loc.set(hashBytes, 0)
      loc.set(u64(block.header.number), 32)
      new DataView(loc.buffer).setUint32(40, r.transactionIndex)
      ops.push({ type: 'put', key: TX(r.transactionHash), value: loc })
      // A sealed transaction is no longer pending.
      ops.push({ type: 'del', key: PENDING(r.transactionHash) })
    }
    if (/[1-9a-f]/i.test(block.header.logsBloom.slice(2))) {
      ops.push({ type: 'put', key: BLOOM(block.header.number), value: hexToBytes(block.header.logsBloom) })
    }
    return { ops, record }
  }

  return {
    /** The latest sealed block (undefined only before genesis is written). */
    head(): BlockRecord | undefined {
      return head
    },
    getBlockByHash,
    getHashByNumber,
    async getBlockByNumber(n: bigint): Promise<BlockRecord | undefined> {
      const hash = await getHashByNumber(n)
      return hash ? getBlockByHash(hash) : undefined
    },
    getReceipts,
    /** The location of a transaction of one of the recent blocks, without a Db read. */
    recentTxLocation(hash: Hex): TxLocation | undefined {
      return recentTxs.get(hash)
    },
    async getTxLocation(hash: Hex): Promise<TxLocation | undefined> {
      const recent = recentTxs.get(hash)
      if (recent) return recent
      const bytes = await db.get(TX(hash))
      if (!bytes) return undefined
      return {
        blockHash: bytesToHex(bytes.subarray(0, 32)),
        blockNumber: readU64(bytes, 32),
        index: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(40),
      }
    },
    /**
     * Writes a sealed block, its receipts, indexes and the state ops in ONE atomic batch, then moves the head.
     * `extraOps` ride along (the sequencer's own bookkeeping, if any).
     */
    async seal(input: SealInput, extraOps: readonly DbOp[] = []): Promise<BlockRecord> {
      const { ops, record } = blockOps(input.block, input.execution.receipts)
      await db.batch([...input.stateOps, ...ops, ...extraOps])
      remember(blocks, record.hash, record)
      remember(receiptsCache, record.hash, input.execution.receipts)
      rememberTxs(record, input.execution.receipts)
      head = record
      return record
    },
    async getMeta<T>(name: string): Promise<T | undefined> {
      const bytes = await db.get(META(name))
      return bytes ? decodeJson<T>(bytes) : undefined
    },
    metaOp(name: string, value: unknown): DbOp {
      return { type: 'put', key: META(name), value: encodeJson(value) }
    },
    /** Logs in a block range (or one block by hash), skipping blocks whose bloom rules the query out. */
    async getLogs(query: LogQuery): Promise<ChainLog[]> {
      const out: ChainLog[] = []
      const scan = async (hash: Hex) => {
        const block = await getBlockByHash(hash)
        const receipts = await getReceipts(hash)
        if (!block || !receipts) return
        for (const log of blockLogs(block, receipts)) if (logMatches(log, query)) out.push(log)
      }
      if (query.blockHash) {
        await scan(query.blockHash)
        return out
      }
      // Only blocks with at least one log have a bloom entry, so empty blocks cost nothing.
      for await (const [k, bloom] of db.iterator({ gte: BLOOM(query.fromBlock), lte: BLOOM(query.toBlock) })) {
        if (!bloomMayMatch(bloom, query)) continue
        const hash = await getHashByNumber(readU64(k, 2))
        if (hash) await scan(hash)
      }
      return out
    },
    /** The op that persists a pending raw transaction (mempool restore); `seq` keeps arrival order. */
    pendingOp(hash: Hex, seq: bigint, raw: Uint8Array): DbOp {
      return { type: 'put', key: PENDING(hash), value: concatBytes(u64(seq), raw) }
    },
    pendingDelOp(hash: Hex): DbOp {
      return { type: 'del', key: PENDING(hash) }
    },
    /** Persisted pending transactions in arrival order. */
    async pending(): Promise<{ hash: Hex; seq: bigint; raw: Uint8Array }[]> {
      const out: { hash: Hex; seq: bigint; raw: Uint8Array }[] = []
      for await (const [k, v] of db.iterator({ gte: PENDING_ALL, lt: prefixEnd(PENDING_ALL) })) {
        out.push({ hash: bytesToHex(k.subarray(2)), seq: readU64(v), raw: v.slice(8) })
      }
      return out.sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0))
    },
    db,
  }
}

/** The chain store of a node. */
export type ChainStore = Awaited<ReturnType<typeof createChainStore>>
