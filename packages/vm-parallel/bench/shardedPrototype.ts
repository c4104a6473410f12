import { readFileSync } from 'node:fs'
import type { Address, BlockContext, GenesisAlloc, Hex } from '@appchain/core'
import { bytesToHex, keccak256 } from '@appchain/core'
import { type WorkerPool, workerPool } from '@appchain/core/workers'
import { eip1559 } from '@appchain/gas'
import { keccakReady } from '@appchain/state'
import type { ParallelTx } from '../src/parallelTx.js'
import { parallelVm } from '../src/parallelVm.js'
import { type Program, type ProgramSpec, programSpec } from '../src/program.js'
import { nativeToken } from '../src/programs/nativeToken.js'
import { encodeTransaction, type ParallelTxRequest, signingDigest } from '../src/tx.js'
import { rootBranch } from './rootBranch.js'
import {
  F,
  FLAG_DECLARED,
  FLAG_FEE_TOKEN,
  type SharedBlock,
  SYNC,
  sharedBlock,
  TX_BYTES,
  writeUint256,
} from './shardedLayout.js'
import {
  type BenchKey,
  benchContext,
  benchKeys,
  cpuMs,
  flushedState,
  median,
  signNative,
  signTransfers,
  transferWorkloads,
} from './workloads.js'

// Round 5 of issue 6: a measured prototype of account-sharded execution. Workers OWN the accounts (first nibble of
// keccak(address) -> worker), resident across blocks, and run the fee holds, transfers, charges and their account
// subtries' hashing themselves (bench/shardedWorker.ts); this thread packs the block into one SharedArrayBuffer,
// posts it to every worker and hashes the root branch from their subtrie refs. Bench only: nothing in src changes.
//
// First a correctness pass on a mixed block built to exercise every rule (wrong nonces, fee checks, holds that do
// not fit, undeclared receivers, self-transfers, tips to the coinbase, senders that can only pay with a credit
// received earlier in the same block - across shards, so deferred and resolved in block order); then the three
// 20k-transfer workloads of bench/index.ts. Every block's state, transactions and receipts roots must equal
// parallelVm({ workers: 1 })'s on a fresh state from the same genesis, or the bench stops.
// Measured side by side, alternating, after warm-ups: the prototype at 1 and 2 workers and parallelVm at 1 and 2
// workers on the same decoded block (decoding with signature recovery outside the timed part, as the bench's exec).
//
// Usage: BENCH_TXS=20000 BENCH_REPS=5 npx tsx --conditions=source bench/shardedPrototype.ts
//   BENCH_TXS (20000), BENCH_REPS (5 measured runs per variant), BENCH_WARM (2 warm-up runs), BENCH_MIXED (3000
//   transactions in the correctness block; 0 skips it), BENCH_WORKLOADS (comma-separated names, default all three),
//   BENCH_COMMIT=1 adds the subtries' commit (new nodes packed for the Db) to the block,
//   BENCH_SANDBOX=1 runs each transfer through the real program in the workers' sandbox,
//   BENCH_EVM=1 also runs the EVM ERC-20 block once (else docs/benchmarks.md's latest quiet figure is quoted),
//   BENCH_VARIANTS (proto1,proto2,vm1,vm2: which of the four run). Profiles of the workers: SHARDED_PROFILE=dir
//   (a .cpuprofile per worker and block; with SHARDED_HEAP=1 a sampling .heapprofile instead).
// Columns: exec = wall ms of the block; CPU path = packing + the busiest worker's thread CPU; quiet bound =
// max(CPU path, process CPU / 2), which counts V8's GC helper threads. On a shared machine the wall column
// measures the other load as much as the design; a quiet 2-core run lands between CPU path and quiet bound.
const N = Number(process.env.BENCH_TXS ?? 20_000)
const REPS = Number(process.env.BENCH_REPS ?? 5)
const WARM = Number(process.env.BENCH_WARM ?? 2)
const MIXED = Number(process.env.BENCH_MIXED ?? 3000)
const ONLY = process.env.BENCH_WORKLOADS?.split(',')
// BENCH_COMMIT=1: the workers also commit their subtries and pack the new nodes (what a flush to the Db needs).
const COMMIT = process.env.BENCH_COMMIT === '1'
// BENCH_SANDBOX=1: each transfer runs through the real program in the workers' sandbox instead of inlined arithmetic.
const SANDBOX = process.env.BENCH_SANDBOX === '1'
// Which of the four variants run (profiling): 'proto1,proto2,vm1,vm2' by default.
const VARIANTS = (process.env.BENCH_VARIANTS ?? 'proto1,proto2,vm1,vm2').split(',')
const CHAIN_ID = 4242n
// The EVM's ERC-20 execution of the same 20k transfers, docs/benchmarks.md quiet-machine figures of 26 Nov (midday).
const EVM_QUOTED_MS = 5788
const gas = eip1559({ initialBaseFee: 1n })
const ctx = benchContext(gas, 1_700_000_001n)
await keccakReady()

/**
 * CPU ms the whole machine spent busy so far (Linux /proc/stat, all cores): minus this process's CPU over a block,
 * it says how many cores other processes (the other engineer's benchmarks) took while the block ran.
 */
function machineBusyMs(): number {
  try {
    const f = readFileSync('/proc/stat', 'utf8').slice(0, 200).split('\n')[0]!.split(/\s+/).slice(1).map(Number)
    const total = f.reduce((x, y) => x + y, 0)
    return (total - f[3]! - f[4]!) * 10
  } catch {
    return Number.NaN
  }
}

// ---- packing (the main thread's only per-transaction work) ----

const NIBBLE = new Int8Array(128).fill(-1)
for (let i = 0; i < 10; i++) NIBBLE[48 + i] = i
for (let i = 0; i < 6; i++) NIBBLE[97 + i] = 10 + i

/** A lower-case 0x address written as 20 bytes at `at`. */
function addressInto(out: Uint8Array, at: number, hex: string): void {
  if (hex.length !== 42) throw new TypeError(`not an address: ${hex}`)
  for (let k = 0; k < 20; k++) {
    const hi = NIBBLE[hex.charCodeAt(2 + 2 * k)]!
    const lo = NIBBLE[hex.charCodeAt(3 + 2 * k)]!
    if (hi < 0 || lo < 0) throw new TypeError(`not a lower-case address: ${hex}`)
    out[at + k] = (hi << 4) | lo
  }
}

/** Packs the block's transfers (fields the fee arithmetic and the transfer need) and raw bytes into `shared`. */
function packBlock(txs: readonly ParallelTx[], shared: SharedBlock, token: Program, blockGasLimit: bigint): void {
  const out = new Uint8Array(shared.txs)
  const view = new DataView(shared.txs)
  let gasSum = 0n
  let rawSize = 0
  for (let i = 0; i < txs.length; i++) {
    const tx = txs[i]!
    if (tx.program !== token.id || tx.method !== 'transfer')
      throw new Error(`prototype runs ${token.id}.transfer only, got ${tx.program}.${tx.method}`)
    const at = i * TX_BYTES
    const to = tx.args.to as Address
    addressInto(out, at + F.sender, tx.sender)
    addressInto(out, at + F.to, to)
    writeUint256(view, at + F.amount, tx.args.amount as bigint)
    view.setBigUint64(at + F.nonce, tx.nonce)
    view.setBigUint64(at + F.gasLimit, tx.gasLimit)
    view.setBigUint64(at + F.intrinsicGas, tx.intrinsicGas)
    writeUint256(view, at + F.maxFeePerGas, tx.fee.maxFeePerGas)
    writeUint256(view, at + F.maxPriorityFeePerGas, tx.fee.maxPriorityFeePerGas)
    const writes = tx.accessSet.writes
    out[at + F.flags] =
      (writes.includes(tx.sender) && writes.includes(to) ? FLAG_DECLARED : 0) |
      (tx.fee.feeToken !== undefined ? FLAG_FEE_TOKEN : 0)
    gasSum += tx.intrinsicGas
    rawSize += tx.raw.length
  }
  // The block gas limit is a running sum over the accepted transactions: when the whole block fits, no transaction
  // can hit it and the shards need not know each other's exclusions. A block that does not fit would need an
  // ordered pass (not in this prototype).
  if (gasSum > blockGasLimit) throw new Error('prototype: the block may exceed its gas limit; not handled')
  if (shared.raws.byteLength < rawSize) shared.raws = new SharedArrayBuffer(rawSize * 2)
  const raws = new Uint8Array(shared.raws)
  const ends = new Uint32Array(shared.rawEnds)
  let end = 0
  for (let i = 0; i < txs.length; i++) {
    raws.set(txs[i]!.raw, end)
    end += txs[i]!.raw.length
    ends[i] = end
  }
}

/** The root branch over the workers' subtrie refs (each subtrie root is >= 32 bytes: 63-nibble leaf paths). */
function rootOf(refs: (Uint8Array | undefined)[]): Hex {
  if (refs.filter((r) => r !== undefined).length < 2)
    throw new Error('prototype: the root must be a branch (accounts under at least two first nibbles)')
  return rootBranch(refs)
}

type WorkerReply = {
  refs: [number, Uint8Array][]
  txRoot?: Hex
  receiptsRoot?: Hex
  deferred: number
  /** Deferred transfers that succeeded in block order (worker 0 resolves them). */
  resolvedOk: number
  touched: number
  /** CPU ms of the worker thread during the block. */
  cpu: number
  ms: Record<string, number>
}

interface Sharded {
  workers: number
  pool: WorkerPool<unknown, WorkerReply>
  shared: SharedBlock
}

function sharded(workers: number, n: number): Sharded {
  return {
    workers,
    pool: workerPool<unknown, WorkerReply>({ url: new URL('./shardedWorker.ts', import.meta.url), size: workers }),
    shared: sharedBlock(n, workers),
  }
}

/** Genesis onto the workers (untimed): 60 bytes per account, each worker keeps its shard. */
async function loadGenesis(s: Sharded, alloc: GenesisAlloc, specs: ProgramSpec[]): Promise<void> {
  const entries = Object.entries(alloc)
  const bytes = new Uint8Array(entries.length * 60)
  const view = new DataView(bytes.buffer)
  entries.forEach(([a, acc], i) => {
    if (acc.code !== undefined || acc.storage !== undefined) throw new Error('prototype: plain accounts only')
    addressInto(bytes, i * 60, a.toLowerCase())
    view.setBigUint64(i * 60 + 20, acc.nonce ?? 0n)
    writeUint256(view, i * 60 + 28, acc.balance ?? 0n)
  })
  await Promise.all(
    Array.from({ length: s.workers }, (_, w) =>
      s.pool.runOn(w, { op: 'load', w, W: s.workers, alloc: bytes, count: entries.length, specs }),
    ),
  )
}

const TRANSFER_TOPIC = bytesToHex(keccak256(new TextEncoder().encode('Transfer')))

/** One block on the shards: pack, post, wait, hash the root branch. */
async function runSharded(s: Sharded, txs: readonly ParallelTx[], token: Program, c: BlockContext) {
  if (txs.length * TX_BYTES > s.shared.txs.byteLength) throw new Error('prototype: block larger than its buffers')
  packBlock(txs, s.shared, token, c.gasLimit)
  const sync = new Int32Array(s.shared.sync)
  Atomics.store(sync, SYNC.deferred, 0)
  const coinbase = new Uint8Array(20)
  addressInto(coinbase, 0, c.coinbase.toLowerCase())
  const replies = await Promise.all(
    Array.from({ length: s.workers }, (_, w) =>
      s.pool.runOn(w, {
        op: 'block',
        shared: s.shared,
        n: txs.length,
        baseFee: c.fees.baseFeePerGas,
        coinbase,
        program: { address: token.address, transferTopic: TRANSFER_TOPIC },
        txRoot: w === s.workers - 1,
        receiptsRoot: w === 0,
        commit: COMMIT,
        sandbox: SANDBOX,
        env: { blockNumber: c.number, timestamp: c.timestamp },
      }),
    ),
  )
  const refs: (Uint8Array | undefined)[] = new Array(16)
  for (const r of replies) for (const [nibble, ref] of r.refs) refs[nibble] = ref
  return {
    stateRoot: rootOf(refs),
    transactionsRoot: replies[s.workers - 1]!.txRoot!,
    receiptsRoot: replies[0]!.receiptsRoot!,
    deferred: replies.reduce((x, r) => x + r.deferred, 0),
    resolvedOk: replies[0]!.resolvedOk,
    replies,
  }
}

// ---- correctness pass: a mixed block against parallelVm ----

/** A seeded PRNG (mulberry32): the mixed block is the same on every run. */
function prng(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function mixedBlock(n: number, token: Program): { raws: Uint8Array[]; alloc: GenesisAlloc } {
  const rand = prng(6)
  const keys = benchKeys(Math.max(8, Math.floor(n / 4)), 'mixed')
  const outsiders = benchKeys(Math.max(4, Math.floor(n / 8)), 'mixed-outsider').map((k) => k.address)
  const alloc: GenesisAlloc = {}
  // A quarter rich; the rest hold their fee holds (30000 gas at up to 3 wei) and little or nothing more, so most
  // of their transfers need a credit received earlier in the block; a few cannot even pay the hold.
  keys.forEach((k, i) => {
    const kind = i % 8
    alloc[k.address] = {
      balance: kind < 2 ? 10n ** 20n : kind === 7 ? 1000n : 90_000n + BigInt(Math.floor(rand() * 5)),
    }
  })
  const nonces = new Map<Address, bigint>()
  const m = token.methods.transfer!
  const schema = { program: token.id, method: 'transfer', args: m.args, gas: m.gas }
  const raws: Uint8Array[] = []
  for (let i = 0; i < n; i++) {
    const from: BenchKey = keys[Math.floor(rand() * keys.length)]!
    const r = rand()
    const to: Address =
      r < 0.05
        ? from.address
        : r < 0.2
          ? outsiders[Math.floor(rand() * outsiders.length)]!
          : keys[Math.floor(rand() * keys.length)]!.address
    let nonce = nonces.get(from.address) ?? 0n
    const odd = rand()
    if (odd < 0.03)
      nonce += 1n // a gap: excluded
    else if (odd < 0.05 && nonce > 0n)
      nonce -= 1n // replayed: excluded
    else nonces.set(from.address, nonce + 1n) // assumes it is accepted; an excluded one leaves later gaps, also fine
    const fee = rand()
    const request: ParallelTxRequest = {
      chainId: CHAIN_ID,
      program: token.id,
      method: 'transfer',
      args: { to, amount: BigInt(1 + Math.floor(rand() * 20)) },
      reads: [],
      writes: rand() < 0.03 || from.address === to ? [from.address] : [from.address, to],
      nonce,
      gasLimit: 30_000n,
      // Mostly the bench's fees; some tip 1-2 wei (credited to the coinbase), some offer less than the base fee
      // (excluded by eip1559; a tip above the fee cap is already refused by decoding).
      maxFeePerGas: fee < 0.03 ? 0n : 10n,
      maxPriorityFeePerGas: fee >= 0.03 && fee < 0.3 ? BigInt(1 + Math.floor(rand() * 2)) : 0n,
    }
    raws.push(encodeTransaction(request, schema, signNative(signingDigest(request, schema), from)))
  }
  return { raws, alloc }
}

async function decodeAll(raws: Uint8Array[], token: Program): Promise<ParallelTx[]> {
  const vm = parallelVm({ programs: [token], workers: 2 })
  try {
    const out = await vm.decodeTxs(raws, { chainId: CHAIN_ID })
    for (const t of out) if (!('sender' in t)) throw new Error(`decode failed: ${String(t)}`)
    return out as ParallelTx[]
  } finally {
    await vm.close()
  }
}

async function reference(token: Program, alloc: GenesisAlloc, txs: ParallelTx[]) {
  const vm = parallelVm({ programs: [token], workers: 1 })
  try {
    const state = await flushedState(alloc, vm.genesis)
    const r = await vm.executeBlock({ ctx, deposits: [], txs, state, gas })
    return {
      stateRoot: r.stateRoot,
      transactionsRoot: r.transactionsRoot!,
      receiptsRoot: r.receiptsRoot!,
      excluded: r.excluded.length,
      reverted: r.receipts.filter((x) => x.status !== 'success').length,
    }
  } finally {
    await vm.close()
  }
}

type Roots = { stateRoot: Hex; transactionsRoot: Hex; receiptsRoot: Hex }
const same = (a: Roots, b: Roots) =>
  a.stateRoot === b.stateRoot && a.transactionsRoot === b.transactionsRoot && a.receiptsRoot === b.receiptsRoot

const benchWorkloads = transferWorkloads(N).filter((w) => !w.undeclared && (!ONLY || ONLY.includes(w.name)))
const token = nativeToken({
  authority: benchWorkloads[0]?.transfers[0]?.from.address ?? '0x00000000000000000000000000000000000000aa',
})
const shards = [sharded(1, Math.max(N, MIXED)), sharded(2, Math.max(N, MIXED))]

if (MIXED > 0) {
  const { raws, alloc } = mixedBlock(MIXED, token)
  const txs = await decodeAll(raws, token)
  const ref = await reference(token, alloc, txs)
  for (const s of shards) {
    await loadGenesis(s, alloc, [programSpec(token)])
    const got = await runSharded(s, txs, token, ctx)
    const ok = same(got, ref)
    console.log(
      `correctness, mixed block of ${MIXED} (${ref.excluded} excluded, ${ref.reverted} reverted, ${got.deferred} deferred and resolved in block order, ${got.resolvedOk} of them successful), ${s.workers} worker(s): roots ${ok ? 'identical to parallelVm' : 'DIFFER'}`,
    )
    if (!ok) {
      console.log({ ref, got: { ...got, replies: undefined } })
      process.exit(1)
    }
  }
}

// ---- the bench: 20k transfers, prototype and parallelVm at 1 and 2 workers, alternating ----

type Sample = {
  wall: number
  main: number
  all: number
  others: number
  workerCpu?: number[]
  worker?: Record<string, number>
}
/** Runs one block and times it: wall, this thread's and the process's CPU, and the other processes' load. */
async function timedBlock<T>(run: () => Promise<T>): Promise<[T, Sample]> {
  const c = cpuMs()
  const b = machineBusyMs()
  const t = performance.now()
  const out = await run()
  const wall = performance.now() - t
  const c2 = cpuMs()
  const all = c2.all - c.all
  return [out, { wall, main: c2.main - c.main, all, others: (machineBusyMs() - b - all) / wall }]
}
const rows: { workload: string; variant: string; samples: Sample[] }[] = []
console.log(`account-sharded prototype vs parallelVm: ${N} transfers, ${WARM} warm-up + ${REPS} runs each, alternating`)
for (const w of benchWorkloads) {
  const raws = signTransfers(token, w.transfers, CHAIN_ID)
  const alloc: GenesisAlloc = {}
  for (const t of w.transfers) alloc[t.from.address] = { balance: 10n ** 24n }
  const txs = await decodeAll(raws, token)
  const ref = await reference(token, alloc, txs)
  const vms = [1, 2].map((workers) => parallelVm({ programs: [token], workers }))
  const variants = ['prototype, 1 worker', 'prototype, 2 workers', 'parallelVm, 1 worker', 'parallelVm, 2 workers']
  const samples: Sample[][] = variants.map(() => [])
  for (let rep = -WARM; rep < REPS; rep++) {
    for (let v = 0; v < variants.length; v++) {
      if (!VARIANTS.includes(['proto1', 'proto2', 'vm1', 'vm2'][v]!)) continue
      let sample: Sample
      let roots: Roots
      if (v < 2) {
        const s = shards[v]!
        await loadGenesis(s, alloc, [programSpec(token)])
        const [got, timed] = await timedBlock(() => runSharded(s, txs, token, ctx))
        sample = timed
        const slowest: Record<string, number> = {}
        for (const r of got.replies)
          for (const [k, ms] of Object.entries(r.ms)) slowest[k] = Math.max(slowest[k] ?? 0, ms)
        sample.worker = slowest
        sample.workerCpu = got.replies.map((r) => r.cpu)
        roots = got
      } else {
        const vm = vms[v - 2]!
        const state = await flushedState(alloc, vm.genesis)
        const [r, timed] = await timedBlock(() => vm.executeBlock({ ctx, deposits: [], txs, state, gas }))
        sample = timed
        roots = { stateRoot: r.stateRoot, transactionsRoot: r.transactionsRoot!, receiptsRoot: r.receiptsRoot! }
      }
      if (!same(roots, ref)) {
        console.log(`${w.name}, ${variants[v]}: ROOTS DIFFER from parallelVm({ workers: 1 })`, roots, ref)
        process.exit(1)
      }
      if (rep >= 0) samples[v]!.push(sample)
    }
  }
  for (const vm of vms) await vm.close()
  variants.forEach((variant, v) => {
    if (samples[v]!.length > 0) rows.push({ workload: w.name, variant, samples: samples[v]! })
  })
  console.log(`  ${w.name}: roots identical to parallelVm({ workers: 1 }) in every run`)
}
for (const s of shards) await s.pool.close()

// The quoted quiet-machine figure, scaled to this block size; and, with BENCH_EVM=1, this run's (same load).
const evmQuoted = (EVM_QUOTED_MS * N) / 20_000
let evmMeasured: number | undefined
if (process.env.BENCH_EVM === '1') {
  const { evmExecMs } = await import('./shardedEvm.js')
  evmMeasured = await evmExecMs(transferWorkloads(N)[0]!.transfers, ctx, gas, CHAIN_ID)
}

const med = (r: (typeof rows)[number], f: (s: Sample) => number) => median(r.samples.map(f))
/**
 * The prototype's CPU critical path: this thread's packing, then the busiest worker (its CPU, not its wall time,
 * so the other engineer's load on the 2 cores does not count; barrier waits inside a block are not in it either).
 */
const cpuPath = (r: (typeof rows)[number]) =>
  r.samples[0]?.workerCpu ? med(r, (s) => s.main + Math.max(...s.workerCpu!)) : Number.NaN
/**
 * What a quiet 2-core machine allows at best: the CPU path, and the process's CPU (workers plus V8's GC and compiler
 * helper threads, which a single worker leaves on the idle core) spread over the two cores.
 */
const quiet = (r: (typeof rows)[number]) =>
  r.samples[0]?.workerCpu ? Math.max(cpuPath(r), med(r, (s) => s.all) / 2) : Number.NaN
const oneOf = (r: (typeof rows)[number]) =>
  rows.find((x) => x.workload === r.workload && x.variant === r.variant.replace('2 workers', '1 worker'))!
const two = (r: (typeof rows)[number]) => r.variant.endsWith('2 workers')
console.table(
  rows.map((r) => {
    const wall = med(r, (s) => s.wall)
    const path = cpuPath(r)
    return {
      workload: r.workload,
      variant: r.variant,
      'exec ms': Math.round(wall),
      'speed-up 1 -> 2': two(r) ? `${(med(oneOf(r), (s) => s.wall) / wall).toFixed(2)}x` : '',
      'other load (cores)': med(r, (s) => s.others).toFixed(2),
      'CPU main/all ms': `${Math.round(med(r, (s) => s.main))}/${Math.round(med(r, (s) => s.all))}`,
      'worker CPU ms': r.samples[0]?.workerCpu
        ? r.samples[0].workerCpu.map((_, k) => Math.round(med(r, (s) => s.workerCpu![k]!))).join(' + ')
        : '',
      'CPU path ms': Number.isNaN(path) ? '' : Math.round(path),
      'CPU path speed-up': two(r) && !Number.isNaN(path) ? `${(cpuPath(oneOf(r)) / path).toFixed(2)}x` : '',
      'EVM / exec (quoted)': `${(evmQuoted / wall).toFixed(1)}x`,
      ...(evmMeasured === undefined ? {} : { 'EVM / exec (this run)': `${(evmMeasured / wall).toFixed(1)}x` }),
      'quiet bound ms': Number.isNaN(path) ? '' : Math.round(quiet(r)),
      'quiet bound speed-up': two(r) && !Number.isNaN(path) ? `${(quiet(oneOf(r)) / quiet(r)).toFixed(2)}x` : '',
      'EVM / quiet bound (quoted)': Number.isNaN(path) ? '' : `${(evmQuoted / quiet(r)).toFixed(1)}x`,
    }
  }),
)
// Where the prototype's workers spend a block: each phase's wall ms on the slowest worker (medians).
console.table(
  rows
    .filter((r) => r.samples[0]?.worker)
    .map((r) => {
      const phases: Record<string, number | string> = { workload: r.workload, variant: r.variant }
      for (const k of Object.keys(r.samples[0]!.worker!)) phases[k] = Math.round(med(r, (s) => s.worker![k]!))
      return phases
    }),
)
console.log(
  `EVM ERC-20 exec of the same transfers: quoted ${EVM_QUOTED_MS} ms for 20k (docs/benchmarks.md, quiet machine, 26 Nov midday; scaled by BENCH_TXS/20000)${evmMeasured === undefined ? '' : `; measured in this run (one run after a warm-up): ${Math.round(evmMeasured)} ms`}`,
)
