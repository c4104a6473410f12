import type { Address } from '@appchain/core'
import { hexToBytes, KECCAK_EMPTY, memoryDb } from '@appchain/core'
import { workerPool } from '@appchain/core/workers'
import { createStateDb, keccak256, keccakReady } from '@appchain/state'
import { rootBranch } from './rootBranch.js'
import { cpuMs, median } from './workloads.js'

// Prototype measurement (issue 6, goal 2): would the account trie's root pay on workers that own its subtries?
// Each worker keeps the subtries under its share of the 16 first nibbles of keccak(address) across blocks (as a
// resident trie would); per block the main thread packs the changed accounts (address, nonce, balance: 60 bytes
// each) into one buffer sent to every worker; each worker hashes the addresses, keeps its shard, encodes the
// records, updates its subtries, hashes them and returns the root branch's child references (and, as a flush
// would need, its new node encodings, packed); the main thread hashes the root branch. Compared with
// `state.root()` of the same block on the main thread (same root required).
// Usage: BENCH_TXS=20000 BENCH_REPS=5 npx tsx --conditions=source bench/rootShards.ts
const N = Number(process.env.BENCH_TXS ?? 20_000)
const REPS = Number(process.env.BENCH_REPS ?? 5)
await keccakReady()
const address = (seed: string, i: number) =>
  `0x${Buffer.from(keccak256(Buffer.from(`${seed}${i}`))).toString('hex', 12)}` as Address
const senders = Array.from({ length: N }, (_, i) => address('s', i))
const receivers = Array.from({ length: N }, (_, i) => address('r', i))
const genesis = senders.map((a) => ({ a, nonce: 0n, balance: 10n ** 24n }))
const block = [
  ...senders.map((a) => ({ a, nonce: 1n, balance: 10n ** 24n - 22_000n })),
  ...receivers.map((a) => ({ a, nonce: 0n, balance: 1n })),
]

function pack(accounts: { a: Address; nonce: bigint; balance: bigint }[]): Uint8Array {
  const out = new Uint8Array(accounts.length * 60)
  const view = new DataView(out.buffer)
  for (let i = 0; i < accounts.length; i++) {
    const { a, nonce, balance } = accounts[i]!
    out.set(hexToBytes(a), i * 60)
    view.setBigUint64(i * 60 + 20, nonce)
    const hex = balance.toString(16)
    out.set(hexToBytes(`0x${hex.length % 2 ? '0' : ''}${hex}`), i * 60 + 60 - ((hex.length + 1) >> 1))
  }
  return out
}

// One pool per worker count, kept across runs (warm, as a node's pool is); each run starts from fresh subtries.
const pools = [1, 2].map((size) =>
  workerPool<unknown, { refs: [number, Uint8Array][]; nodes: number; ms: number }>({
    url: new URL('./rootShardsWorker.ts', import.meta.url),
    size,
  }),
)

async function sharded(workers: number) {
  const pool = pools[workers - 1]!
  const shard = (w: number) => Array.from({ length: 16 }, (_, n) => n).filter((n) => n % workers === w)
  const round = (bytes: Uint8Array, count: number, reset: boolean) =>
    Promise.all(
      Array.from({ length: workers }, (_, w) =>
        pool.runOn(w, { nibbles: shard(w), bytes, count, commit: true, reset }),
      ),
    )
  const rootOf = (replies: { refs: [number, Uint8Array][] }[]) => {
    const refs: (Uint8Array | undefined)[] = new Array(16)
    for (const r of replies) for (const [n, ref] of r.refs) refs[n] = ref
    return rootBranch(refs)
  }
  await round(pack(genesis), genesis.length, true)
  const c = cpuMs().main
  const t = performance.now()
  const bytes = pack(block)
  const packed = performance.now() - t
  const replies = await round(bytes, block.length, false)
  const root = rootOf(replies)
  const wall = performance.now() - t
  const main = cpuMs().main - c
  return { root, wall, main, packed, worker: Math.max(...replies.map((r) => r.ms)) }
}

async function sequential() {
  const db = memoryDb()
  const state = createStateDb({ db })
  for (const g of genesis) await state.putAccount(g.a, { nonce: g.nonce, balance: g.balance, codeHash: KECCAK_EMPTY })
  await db.batch((await state.flush()).ops)
  for (const b of block) await state.putAccount(b.a, { nonce: b.nonce, balance: b.balance, codeHash: KECCAK_EMPTY })
  const c = cpuMs().main
  const t = performance.now()
  const root = await state.root()
  return { root, wall: performance.now() - t, main: cpuMs().main - c }
}

const rows: Record<string, { wall: number[]; main: number[]; worker: number[]; packed: number[]; roots: Set<string> }> =
  {}
for (let rep = -1; rep < REPS; rep++) {
  for (const v of ['state.root()', 'shards on 1 worker', 'shards on 2 workers']) {
    const s = v === 'state.root()' ? undefined : await sharded(v.includes('2') ? 2 : 1)
    const r = s ?? (await sequential())
    if (rep < 0) continue
    rows[v] ??= { wall: [], main: [], worker: [], packed: [], roots: new Set() }
    const row = rows[v]
    row.wall.push(r.wall)
    row.main.push(r.main)
    if (s) {
      row.worker.push(s.worker)
      row.packed.push(s.packed)
    }
    row.roots.add(r.root)
  }
}
console.table(
  Object.entries(rows).map(([v, r]) => ({
    variant: v,
    'root wall ms': Math.round(median(r.wall)),
    'main-thread CPU ms': Math.round(median(r.main)),
    'pack ms': r.packed.length ? Math.round(median(r.packed)) : '-',
    'slowest worker ms': r.worker.length ? Math.round(median(r.worker)) : '-',
  })),
)
for (const p of pools) await p.close()
const roots = new Set(Object.values(rows).flatMap((r) => [...r.roots]))
console.log(
  `${block.length} changed accounts (${N} existing, ${N} new); roots ${roots.size === 1 ? 'identical' : 'DIFFER'}`,
)
