import { readFileSync, writeFileSync } from 'node:fs'
import { Session } from 'node:inspector'
import type { Hex, Log, Receipt } from '@appchain/core'
import { bytesToHex, KECCAK_EMPTY } from '@appchain/core'
import { serveWorker } from '@appchain/core/workers'
import { createTrie, encodeAccount, keccak256, keccakReady, orderedTrieRoot, type Trie } from '@appchain/state'
import { receiptBloom } from '../src/bloom.js'
import { createExecutor, type ExecTx, encodeLogValues, type Store, type TxOutcome } from '../src/executor.js'
import { unpackItems } from '../src/packed.js'
import type { ProgramSpec } from '../src/program.js'
import { encodeReceipts } from '../src/receipts.js'
import { createRegistry } from '../src/registry.js'
import { createSandbox, type Sandbox } from '../src/sandbox.js'
import {
  barrier,
  F,
  FLAG_DECLARED,
  FLAG_FEE_TOKEN,
  readUint256,
  S,
  type SharedBlock,
  SYNC,
  TX_BYTES,
  writeUint256,
} from './shardedLayout.js'

// Worker of bench/shardedPrototype.ts: owns the accounts whose keccak(address) starts with a nibble n, n % W === w
// (nonce, balance, and the account subtrie under each such nibble), resident across blocks. Per block it executes
// the native-token transfers whose SENDER it owns, exactly as parallelVm + eip1559 do in their three phases:
//   A. in block order: nonce check, fee checks, the up-front hold (gasLimit x price), nonce + 1;
//   B. in block order: the transfer (sender must hold `amount` after every hold of the block and the transfers
//      before it); credits to receivers it owns are applied at once, the others are left to their owner, who finds
//      them in the shared block by the status byte;
//   C. after a barrier: credits from other shards' senders, refunds (up-front minus charge), the coinbase's tips.
// A transfer that fails in B may only have failed because a credit from another shard (or from a deferred
// transaction) is not applied yet: it is DEFERRED, and so is every later transfer of that sender (their balance
// depends on it). After the barrier worker 0 resolves the deferred transfers serially in block order (a scan of
// the block tracking only the deferred senders' balances), then everyone applies the outcome. Passing checks
// never need that: credits only add, and only a sender's own transfers debit it.
// Then each worker builds its senders' receipts (as parallelVm's settlement does) into its shared buffer, updates
// and hashes its subtries and returns the root branch's child refs; after a last barrier worker W-1 hashes the
// transactions root and worker 0 the receipts root. Workers meet only at Atomics barriers on shared memory.

interface Account {
  nonce: bigint
  balance: bigint
  path: Uint8Array
  first: number
  /** The block that last touched it (written to the trie), and its balance when phase B first touched it. */
  stamp: number
  baseStamp: number
  base: bigint
}

const EMPTY_ROOT = keccak256(Uint8Array.of(0x80))
const NO_STORAGE_ROOT = EMPTY_ROOT
let w = 0
let W = 1
let owns: boolean[] = []
let accounts = new Map<string, Account>()
let tries = new Map<number, Trie>()
let block = 0
let programs: { sandbox: Sandbox; infos: ReturnType<typeof createRegistry>['infos'] } | undefined
await keccakReady()

function pathOf(hash: Uint8Array, at: number): Uint8Array {
  const path = new Uint8Array(63)
  for (let j = 1; j < 64; j++) path[j - 1] = j & 1 ? hash[at + (j >> 1)]! & 0x0f : hash[at + (j >> 1)]! >> 4
  return path
}

function account(key: string, hash: Uint8Array, at: number): Account {
  let a = accounts.get(key)
  if (a === undefined) {
    a = { nonce: 0n, balance: 0n, path: pathOf(hash, at), first: hash[at]! >> 4, stamp: 0, baseStamp: 0, base: 0n }
    accounts.set(key, a)
  }
  return a
}

/** The executor's view of a packed transfer (arguments as decoding formats them for the sandbox). */
function execTx(index: number, sender: string, to: string, amount: bigint): ExecTx {
  return {
    index,
    program: 'token',
    method: 'transfer',
    argsJson: JSON.stringify([to, amount.toString()]),
    sender: sender as Hex,
    reads: [],
    writes: sender === to ? [sender as Hex] : [sender as Hex, to as Hex],
  }
}

/** The accounts' trie leaves (path under their first nibble, rlp record), grouped by first nibble. */
function recordPuts(list: readonly Account[]): Map<number, [Uint8Array, Uint8Array][]> {
  const puts = new Map<number, [Uint8Array, Uint8Array][]>()
  for (const a of list) {
    const record = encodeAccount({ nonce: a.nonce, balance: a.balance, codeHash: KECCAK_EMPTY }, NO_STORAGE_ROOT)
    const group = puts.get(a.first)
    if (group) group.push([a.path, record])
    else puts.set(a.first, [[a.path, record]])
  }
  return puts
}

/** Genesis (outside the timed part): 60 bytes per account, address | nonce (8) | balance (32); keeps its shard. */
function load(m: { w: number; W: number; alloc: Uint8Array; count: number; specs: ProgramSpec[] }): void {
  // The chain's programs compiled in this worker's sandbox once, as parallelVm's workers do at start-up.
  programs ??= { sandbox: createSandbox(m.specs), infos: createRegistry(m.specs).infos }
  w = m.w
  W = m.W
  owns = Array.from({ length: 16 }, (_, n) => n % W === w)
  accounts = new Map()
  tries = new Map()
  const view = new DataView(m.alloc.buffer, m.alloc.byteOffset, m.alloc.byteLength)
  const buf = Buffer.from(m.alloc.buffer, m.alloc.byteOffset, m.alloc.byteLength)
  const owned: Account[] = []
  for (let i = 0; i < m.count; i++) {
    const at = i * 60
    const h = keccak256(m.alloc.subarray(at, at + 20))
    if (!owns[h[0]! >> 4]) continue
    const a = account(buf.toString('latin1', at, at + 20), h, 0)
    a.nonce = view.getBigUint64(at + 20)
    a.balance = readUint256(view, at + 28)
    owned.push(a)
  }
  for (let n = 0; n < 16; n++) if (owns[n]) tries.set(n, createTrie())
  for (const [n, list] of recordPuts(owned)) tries.get(n)!.putPaths(list)
  // As on a running node: genesis hashed and committed, so a block rehashes only the paths it changes.
  for (const t of tries.values()) t.commit()
}

interface BlockTask {
  shared: SharedBlock
  n: number
  baseFee: bigint
  coinbase: Uint8Array
  program: { address: Hex; transferTopic: Hex }
  txRoot: boolean
  receiptsRoot: boolean
  /**
   * Run each transfer through the real program in the sandbox (`createExecutor`, locking mode) instead of the
   * inlined arithmetic (BENCH_SANDBOX=1): the program reads its sender's and (if owned here) receiver's balance; a
   * receiver owned elsewhere reads 0, so the program's write is the credit its owner applies (valid for transfers).
   */
  sandbox: boolean
  env: { blockNumber: bigint; timestamp: bigint }
  /** Also commit the subtries and pack the new nodes' encodings, as a flush to the Db would need (BENCH_COMMIT=1). */
  commit: boolean
}

/** CPU ms of this thread so far (Linux, clock ticks of 10 ms): steadier than wall time on a shared machine. */
function threadCpuMs(): number {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8')
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(f[11]) + Number(f[12])) * 10
  } catch {
    return Number.NaN
  }
}

function execute(m: BlockTask) {
  const cpu0 = threadCpuMs()
  const t0 = performance.now()
  block++
  const { n, baseFee, shared } = m
  const txs = new Uint8Array(shared.txs)
  const view = new DataView(shared.txs)
  const txBuf = Buffer.from(shared.txs)
  const hashes = new Uint8Array(shared.hashes)
  const status = new Uint8Array(shared.status)
  const bases = new DataView(shared.bases)
  const tips = new DataView(shared.tips)
  const sync = new Int32Array(shared.sync)
  const touched: Account[] = []
  const touch = (a: Account) => {
    if (a.stamp !== block) {
      a.stamp = block
      touched.push(a)
    }
  }

  // 0. keccak of every sender and receiver, once: this worker's slice of the block, shared with the others.
  const per = Math.ceil(n / W)
  for (let i = w * per; i < Math.min(n, (w + 1) * per); i++) {
    const at = i * TX_BYTES
    hashes.set(keccak256(txs.subarray(at + F.sender, at + F.sender + 20)), i * 64)
    hashes.set(keccak256(txs.subarray(at + F.to, at + F.to + 20)), i * 64 + 32)
  }
  barrier(sync, W)
  const t1 = performance.now()

  // A. Holds and nonces of this shard's senders, in block order.
  const mine: number[] = []
  const senders: Account[] = []
  const upfront: bigint[] = []
  const charged: bigint[] = []
  let tipSum = 0n
  for (let i = 0; i < n; i++) {
    if (!owns[hashes[i * 64]! >> 4]) continue
    const at = i * TX_BYTES
    const s = account(txBuf.toString('latin1', at + F.sender, at + F.sender + 20), hashes, i * 64)
    const nonce = view.getBigUint64(at + F.nonce)
    const maxFee = readUint256(view, at + F.maxFeePerGas)
    const maxPriority = readUint256(view, at + F.maxPriorityFeePerGas)
    // parallelVm's order: nonce, (block gas limit: checked for the whole block by the main thread), then the
    // model's checks (fee token, tip above cap, fee cap below the base fee), then the funds.
    if (nonce !== s.nonce || txs[at + F.flags]! & FLAG_FEE_TOKEN || maxPriority > maxFee || maxFee < baseFee) {
      status[i] = S.excluded
      continue
    }
    const price = maxFee < baseFee + maxPriority ? maxFee : baseFee + maxPriority
    const up = view.getBigUint64(at + F.gasLimit) * price
    if (s.balance < up) {
      status[i] = S.excluded
      continue
    }
    s.balance -= up
    s.nonce++
    touch(s)
    const gasUsed = view.getBigUint64(at + F.intrinsicGas)
    tipSum += gasUsed * (price - baseFee)
    mine.push(i)
    senders.push(s)
    upfront.push(up)
    charged.push(gasUsed * price)
    status[i] = S.success
  }

  // B. Transfers of this shard's senders, in block order.
  const firstTouch = (a: Account) => {
    if (a.baseStamp !== block) {
      a.baseStamp = block
      a.base = a.balance
    }
  }
  const poisoned = new Set<Account>()
  const deferred: number[] = []
  // Sandbox mode: the accounts of the transfer being run, which the program's store answers from.
  let current: { sender: string; to: string; s: Account; r: Account | undefined } | undefined
  const store: Store = {
    balance: (a) =>
      a === current!.sender ? current!.s.balance : a === current!.to ? (current!.r?.balance ?? 0n) : undefined,
    record: () => undefined,
  }
  const run = m.sandbox ? createExecutor(programs!.sandbox, programs!.infos, store, m.env, 'locks') : undefined
  const logsOf = new Map<number, Log[]>()
  for (let k = 0; k < mine.length; k++) {
    const i = mine[k]!
    const at = i * TX_BYTES
    const s = senders[k]!
    if (!(txs[at + F.flags]! & FLAG_DECLARED)) {
      status[i] = S.reverted
      continue
    }
    const amount = readUint256(view, at + F.amount)
    if (run !== undefined && !poisoned.has(s)) {
      // The program decides; its outcome is applied as parallelVm applies a batch's writes.
      const ownsReceiver = owns[hashes[i * 64 + 32]! >> 4]!
      const r = ownsReceiver
        ? account(txBuf.toString('latin1', at + F.to, at + F.to + 20), hashes, i * 64 + 32)
        : undefined
      const sender = bytesToHex(txs.subarray(at + F.sender, at + F.sender + 20))
      const to = bytesToHex(txs.subarray(at + F.to, at + F.to + 20))
      current = { sender, to, s, r }
      const out: TxOutcome = run(execTx(i, sender, to, amount))
      if (out.status === 'success') {
        firstTouch(s)
        if (r !== undefined) firstTouch(r)
        for (const [a, v] of out.balances) {
          if (a === sender) s.balance = v
          else if (r !== undefined) {
            r.balance = v
            touch(r)
          }
        }
        logsOf.set(i, out.logs)
        continue
      }
    } else if (!poisoned.has(s) && s.balance >= amount) {
      if (txBuf.compare(txBuf, at + F.sender, at + F.sender + 20, at + F.to, at + F.to + 20) === 0) continue
      firstTouch(s)
      s.balance -= amount
      if (owns[hashes[i * 64 + 32]! >> 4]) {
        const r = account(txBuf.toString('latin1', at + F.to, at + F.to + 20), hashes, i * 64 + 32)
        firstTouch(r)
        r.balance += amount
        touch(r)
      }
      continue
    }
    // Failed here, or after a failure of the same sender: resolved after the barrier, in block order.
    if (!poisoned.has(s)) {
      poisoned.add(s)
      firstTouch(s)
      writeUint256(bases, i * 32, s.base)
    }
    status[i] = S.deferred
    deferred.push(i)
  }
  writeUint256(tips, w * 32, tipSum)
  if (deferred.length > 0) Atomics.add(sync, SYNC.deferred, deferred.length)
  barrier(sync, W)
  const t2 = performance.now()

  // The deferred transfers, serially in block order (worker 0; the others wait at the next barrier).
  const anyDeferred = Atomics.load(sync, SYNC.deferred) > 0
  let resolvedOk = 0
  if (anyDeferred) {
    if (w === 0) resolvedOk = resolveDeferred(n, view, txBuf, status, bases)
    barrier(sync, W)
  }
  const t3 = performance.now()

  // C. Credits from other shards' senders (and every effect of a resolved deferred transfer), refunds, tips.
  const wasDeferred = new Set(deferred)
  for (let i = 0; i < n; i++) {
    if (status[i] !== S.success) continue
    const at = i * TX_BYTES
    const ownsSender = owns[hashes[i * 64]! >> 4]!
    const late = ownsSender && wasDeferred.has(i)
    if (ownsSender && !late) continue
    const amount = readUint256(view, at + F.amount)
    if (txBuf.compare(txBuf, at + F.sender, at + F.sender + 20, at + F.to, at + F.to + 20) === 0) continue
    if (late) account(txBuf.toString('latin1', at + F.sender, at + F.sender + 20), hashes, i * 64).balance -= amount
    if (owns[hashes[i * 64 + 32]! >> 4]) {
      const r = account(txBuf.toString('latin1', at + F.to, at + F.to + 20), hashes, i * 64 + 32)
      r.balance += amount
      touch(r)
    }
  }
  for (let k = 0; k < mine.length; k++) senders[k]!.balance += upfront[k]! - charged[k]!
  const coinbaseHash = keccak256(m.coinbase)
  if (owns[coinbaseHash[0]! >> 4]) {
    let tipTotal = 0n
    for (let v = 0; v < W; v++) tipTotal += readUint256(tips, v * 32)
    // parallelVm skips zero credits: the coinbase is written only when some transaction tipped.
    if (tipTotal > 0n) {
      const c = account(Buffer.from(m.coinbase).toString('latin1'), coinbaseHash, 0)
      c.balance += tipTotal
      touch(c)
    }
  }
  const t4 = performance.now()

  // D. The receipts of this shard's transactions (as parallelVm's settlement builds them), encoded into this
  // worker's shared buffer; the cumulative gas is a prefix sum over the shared block.
  encodeOwnReceipts(n, status, txs, view, hashes, shared, m.program, logsOf)
  const t5 = performance.now()

  // E. This shard's subtries: the touched accounts' records, one batched put per nibble, then the hashes.
  for (const [nibble, list] of recordPuts(touched)) tries.get(nibble)!.putPaths(list)
  const refs: [number, Uint8Array][] = []
  for (const [nibble, trie] of tries) if (trie.node !== undefined) refs.push([nibble, trie.rootHash()])
  const t55 = performance.now()
  const nodes = m.commit ? packNodes([...tries.values()].flatMap((t) => t.commit())) : undefined
  const t6 = performance.now()

  // The two ordered roots once every receipt is written: the transactions root on worker W-1, the receipts on 0.
  barrier(sync, W)
  const t7 = performance.now()
  const txRoot = m.txRoot ? transactionsRoot(n, status, shared) : undefined
  const t8 = performance.now()
  const receiptsRoot = m.receiptsRoot ? receiptsRootOf(n, status, shared) : undefined
  const t9 = performance.now()
  return {
    refs,
    txRoot,
    receiptsRoot,
    deferred: deferred.length,
    nodes: nodes?.count ?? 0,
    resolvedOk,
    touched: touched.length,
    cpu: threadCpuMs() - cpu0,
    ms: {
      hash: t1 - t0,
      holdsTransfers: t2 - t1,
      resolve: t3 - t2,
      credits: t4 - t3,
      receipts: t5 - t4,
      trie: t55 - t5,
      commit: t6 - t55,
      wait: t7 - t6,
      txRoot: t8 - t7,
      receiptsRoot: t9 - t8,
    },
  }
}

/** Node hashes and encodings end to end (hash | length | encoding), the bytes a flush would hand to the Db. */
function packNodes(entries: [Uint8Array, Uint8Array][]): { bytes: Uint8Array; count: number } {
  let size = 0
  for (const [, enc] of entries) size += 36 + enc.length
  const bytes = new Uint8Array(size)
  const view = new DataView(bytes.buffer)
  let at = 0
  for (const [hash, enc] of entries) {
    bytes.set(hash, at)
    view.setUint32(at + 32, enc.length)
    bytes.set(enc, at + 36)
    at += 36 + enc.length
  }
  return { bytes, count: entries.length }
}

/**
 * The deferred transfers in block order, on one thread: only the deferred senders' balances are tracked, from
 * their balance at the start of phase B (published by their owners) plus every successful transfer before each.
 */
function resolveDeferred(n: number, view: DataView, txBuf: Buffer, status: Uint8Array, bases: DataView): number {
  let ok = 0
  const balances = new Map<string, bigint>()
  for (let i = 0; i < n; i++) {
    if (status[i] !== S.deferred) continue
    const at = i * TX_BYTES
    const s = txBuf.toString('latin1', at + F.sender, at + F.sender + 20)
    if (!balances.has(s)) balances.set(s, readUint256(bases, i * 32))
  }
  for (let i = 0; i < n; i++) {
    const st = status[i]
    if (st !== S.success && st !== S.deferred) continue
    const at = i * TX_BYTES
    const s = txBuf.toString('latin1', at + F.sender, at + F.sender + 20)
    const r = txBuf.toString('latin1', at + F.to, at + F.to + 20)
    const amount = readUint256(view, at + F.amount)
    const sb = balances.get(s)
    if (st === S.deferred) {
      if (sb! < amount) {
        status[i] = S.reverted
        continue
      }
      status[i] = S.success
      ok++
    }
    if (s === r) continue
    if (sb !== undefined) balances.set(s, sb - amount)
    const rb = balances.get(r)
    if (rb !== undefined) balances.set(r, rb + amount)
  }
  return ok
}

/** orderedTrieRoot of the included transactions' raw bytes. */
function transactionsRoot(n: number, status: Uint8Array, shared: SharedBlock): Hex {
  const all = unpackItems({
    bytes: new Uint8Array(shared.raws) as never,
    ends: new Uint32Array(shared.rawEnds, 0, n) as never,
  })
  const included: Uint8Array[] = []
  for (let i = 0; i < n; i++) if (status[i] !== S.excluded) included.push(all[i]!)
  return orderedTrieRoot(included)
}

/**
 * The receipts of the included transactions whose sender this worker owns, as parallelVm's settlement builds them
 * (status, cumulative gas, the Transfer log the program emits, the bloom), encoded with its `encodeReceipts` into
 * this worker's shared buffer; where each one landed goes into `receiptAt`.
 */
function encodeOwnReceipts(
  n: number,
  status: Uint8Array,
  txs: Uint8Array,
  view: DataView,
  hashes: Uint8Array,
  shared: SharedBlock,
  program: { address: Hex; transferTopic: Hex },
  logsOf: ReadonlyMap<number, Log[]>,
): void {
  const receipts: Receipt[] = []
  const blooms: Uint8Array[] = []
  const indices: number[] = []
  let cumulative = 0n
  for (let i = 0; i < n; i++) {
    const st = status[i]
    if (st === S.excluded) continue
    const at = i * TX_BYTES
    cumulative += view.getBigUint64(at + F.intrinsicGas)
    if (!owns[hashes[i * 64]! >> 4]) continue
    let logs: Log[] = logsOf.get(i) ?? []
    if (st === S.success && logs.length === 0) {
      const from = bytesToHex(txs.subarray(at + F.sender, at + F.sender + 20))
      const to = bytesToHex(txs.subarray(at + F.to, at + F.to + 20))
      const amount = readUint256(view, at + F.amount)
      // The values as the sandbox packs ctx.emit('Transfer', sender, to, amount).
      const data = encodeLogValues(`s42:${from}s42:${to}n${amount.toString(16)}:`)
      logs = [{ address: program.address, topics: [program.transferTopic], data }]
    }
    const bloom = receiptBloom(logs)
    blooms.push(bloom.bytes)
    receipts.push({ status: st === S.success ? 'success' : 'reverted', cumulativeGasUsed: cumulative, logs } as Receipt)
    indices.push(i)
  }
  const { bytes, ends } = encodeReceipts(receipts, blooms)
  if (shared.receipts[w]!.byteLength < bytes.length) throw new Error('prototype: receipts buffer too small')
  new Uint8Array(shared.receipts[w]!).set(bytes)
  const where = new Uint32Array(shared.receiptAt)
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]!
    const start = k === 0 ? 0 : ends[k - 1]!
    where[i * 3] = w
    where[i * 3 + 1] = start
    where[i * 3 + 2] = ends[k]! - start
  }
}

/** orderedTrieRoot of the included transactions' receipts, viewed where their workers wrote them. */
function receiptsRootOf(n: number, status: Uint8Array, shared: SharedBlock): Hex {
  const where = new Uint32Array(shared.receiptAt)
  const items: Uint8Array[] = []
  for (let i = 0; i < n; i++) {
    if (status[i] === S.excluded) continue
    items.push(new Uint8Array(shared.receipts[where[i * 3]!]!, where[i * 3 + 1]!, where[i * 3 + 2]!))
  }
  return orderedTrieRoot(items)
}

// SHARDED_PROFILE=dir: a CPU profile of each block's execution on each worker, dir/w<w>-b<block>.cpuprofile
// (SHARDED_HEAP=1: a sampling heap profile instead, every allocation counted whether or not it survived).
const profileDir = process.env.SHARDED_PROFILE
const session = profileDir === undefined ? undefined : new Session()
session?.connect()
const post = (method: string, params?: object) =>
  new Promise<unknown>((resolve, reject) => session!.post(method, params ?? {}, (e, r) => (e ? reject(e) : resolve(r))))

serveWorker(async (m: ({ op: 'load' } & Parameters<typeof load>[0]) | ({ op: 'block' } & BlockTask)) => {
  if (m.op === 'load') return load(m)
  if (session === undefined) return execute(m)
  if (process.env.SHARDED_HEAP === '1') {
    // Allocation sampling instead of CPU (every 8 KiB allocated, objects collected since included).
    await post('HeapProfiler.enable')
    await post('HeapProfiler.startSampling', {
      samplingInterval: 8192,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    })
    const out = execute(m)
    const { profile } = (await post('HeapProfiler.stopSampling')) as { profile: unknown }
    writeFileSync(`${profileDir}/w${w}-b${block}.heapprofile`, JSON.stringify(profile))
    return out
  }
  await post('Profiler.enable')
  await post('Profiler.setSamplingInterval', { interval: 100 })
  await post('Profiler.start')
  const out = execute(m)
  const { profile } = (await post('Profiler.stop')) as { profile: unknown }
  writeFileSync(`${profileDir}/w${w}-b${block}.cpuprofile`, JSON.stringify(profile))
  return out
})
