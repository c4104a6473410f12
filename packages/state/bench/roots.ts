// State-root paths of a transfer block, side by side: N existing senders (nonce + balance change) and N
// new receivers on a genesis of the N senders, then
//   warm root:  root() on the StateDb that wrote and flushed the genesis (trie resident, as a node has it)
//   warm flush: flush() (root + commit) on another such StateDb
//   cold root:  root() on a StateDb reopened from the Db (every touched node loaded from it)
//   cold flush: flush() on another reopened StateDb
//   ordered:    orderedTrieRoot(N items of 200 B) (transactionsRoot / receiptsRoot of the block)
// Roots are checked equal between variants. BASE=dir (another copy of src: `git archive <commit> src |
// tar -x -C dir`, with `ln -s /work/main/node_modules dir/node_modules`) adds it alongside, alternating;
// if dir/node_modules/@appchain/core is another copy of core, the base runs on that core's memoryDb.
// Usage: BENCH_ACCOUNTS=20000 BENCH_REPS=5 npx tsx --expose-gc --conditions=source bench/roots.ts
// (--expose-gc: a full GC before each timed part, so earlier runs' garbage is not counted).
// BENCH_CLOCK=thread times the main thread alone (the process CPU includes V8's GC helper threads).
import { mkdirSync, writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { type Address, type Db, type Hex, KECCAK_EMPTY, memoryDb } from '@appchain/core'
import * as now from '../src/index.js'
import { address, median, ms, printTable, threadCpuMs } from './util.js'

// BENCH_PROF=dir: write a .cpuprofile of the timed part only (per variant and path), for `node sum.mjs`.
const PROF = process.env.BENCH_PROF
const session = PROF === undefined ? undefined : new Session()
if (session !== undefined) {
  session.connect()
  await session.post('Profiler.enable')
}
async function profiled<T>(name: string, fn: () => Promise<T>): Promise<T> {
  if (session === undefined) return fn()
  await session.post('Profiler.start')
  try {
    return await fn()
  } finally {
    const { profile } = await session.post('Profiler.stop')
    mkdirSync(PROF!, { recursive: true })
    writeFileSync(`${PROF}/${name.replace(/ /g, '-')}.cpuprofile`, JSON.stringify(profile))
  }
}

const N = Number(process.env.BENCH_ACCOUNTS ?? 20_000)
const REPS = Number(process.env.BENCH_REPS ?? 5)
const ONLY = process.env.BENCH_ONLY // e.g. "warm" to profile one path
type Impl = typeof now
type Variant = { name: string; m: Impl; memoryDb: typeof memoryDb }
const variants: Variant[] = [{ name: 'now', m: now, memoryDb }]
if (process.env.BASE) {
  const base = process.env.BASE
  // The base's own core (its memoryDb) when its node_modules links one, else this one.
  const core = await import(`${base}/node_modules/@appchain/core/src/index.ts`).catch(() => ({ memoryDb }))
  variants.push({ name: 'base', m: (await import(`${base}/src/index.ts`)) as Impl, memoryDb: core.memoryDb })
}
for (const v of variants) await v.m.keccakReady()

const senders = Array.from({ length: N }, (_, i) => address(i))
const receivers = Array.from({ length: N }, (_, i) => address(N + i))
const items = Array.from({ length: N }, (_, i) => new Uint8Array(200).fill(i & 255))
const paths = ['warm root', 'warm flush', 'cold root', 'cold flush', 'orderedTrieRoot'] as const
type Path = (typeof paths)[number]

async function genesis({ m, memoryDb }: Variant): Promise<{ db: Db; state: now.MptStateDb; root: Hex }> {
  const db = memoryDb()
  const state = m.createStateDb({ db })
  for (const a of senders) await state.putAccount(a, { nonce: 0n, balance: 10n ** 24n, codeHash: KECCAK_EMPTY })
  const { root, ops } = await state.flush()
  await db.batch(ops)
  return { db, state, root }
}

async function block(state: now.MptStateDb): Promise<void> {
  for (let i = 0; i < N; i++) {
    await state.putAccount(senders[i]!, { nonce: 1n, balance: 10n ** 24n - 1n, codeHash: KECCAK_EMPTY })
    await state.putAccount(receivers[i]! as Address, { nonce: 0n, balance: 1n, codeHash: KECCAK_EMPTY })
  }
}

async function run(v: Variant, path: Path, name: string): Promise<[number, string]> {
  const m = v.m
  if (path === 'orderedTrieRoot') {
    await settle()
    const t = cpu()
    const r = await profiled(name, async () => m.orderedTrieRoot(items))
    return [cpu() - t, r]
  }
  const g = await genesis(v)
  const state = path.startsWith('warm') ? g.state : m.createStateDb({ db: g.db, root: g.root })
  await block(state)
  await settle()
  const t = cpu()
  const r = await profiled(name, async () => (path.endsWith('root') ? state.root() : (await state.flush()).root))
  return [cpu() - t, r]
}

const gc = (globalThis as { gc?: () => void }).gc
/**
 * The previous runs' garbage is not this run's cost: a full GC, then a pause for V8's background sweeper
 * threads to finish (their CPU would otherwise be counted in the process CPU of the timed part).
 */
async function settle(): Promise<void> {
  if (gc === undefined) return
  gc()
  await new Promise((resolve) => setTimeout(resolve, 150))
}

/**
 * CPU ms of the whole process (user + system, V8's GC helper threads included): steadier than wall time on a shared
 * machine. BENCH_CLOCK=thread: this thread's alone (10 ms ticks), the serial part a block waits for.
 */
const THREAD = process.env.BENCH_CLOCK === 'thread'
function cpu(): number {
  if (THREAD) return threadCpuMs()
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

const times = new Map<string, number[]>()
for (let rep = -1; rep < REPS; rep++) {
  for (const path of paths) {
    if (ONLY !== undefined && !path.startsWith(ONLY)) continue
    const roots = new Set<string>()
    const order = rep & 1 ? [...variants].reverse() : variants
    for (const v of order) {
      const [t, r] = await run(v, path, `${v.name} ${path}`)
      roots.add(r)
      if (rep >= 0) times.set(`${v.name} ${path}`, [...(times.get(`${v.name} ${path}`) ?? []), t])
    }
    if (roots.size !== 1) throw new Error(`${path}: roots differ: ${[...roots].join(' ')}`)
  }
}

console.log(
  `@appchain/state roots: ${N} senders updated + ${N} new accounts (${2 * N} puts) on a ${N}-account genesis; ` +
    `orderedTrieRoot of ${N} x 200 B. Median CPU ms (${THREAD ? 'main thread' : 'process user + system'}) of ${REPS} runs (node ${process.version}).`,
)
const head = ['path', ...variants.map((v) => `${v.name} CPU ms`), ...(variants.length > 1 ? ['base / now'] : [])]
const rows: string[][] = []
for (const path of paths) {
  const t = variants.map((v) => times.get(`${v.name} ${path}`))
  if (t.some((x) => x === undefined)) continue
  const meds = t.map((x) => median(x!))
  rows.push([path, ...meds.map(ms), ...(meds.length > 1 ? [`${(meds[1]! / meds[0]!).toFixed(2)}x`] : [])])
}
printTable(head, rows)
