// npx tsx --conditions=source packages/state/bench/shardedRoot.ts (or npm run bench:shardedRoot -w packages/state)
// Exactly the sharded state's root(): BASE accounts flushed into a LevelDB; each run opens a fresh state at
// that root, putAccounts() N changed accounts (half existing, half new; no reads first, as the parallel VM's
// main thread writes the workers' results) and times root() alone. createStateDb vs createShardedStateDb with
// in-thread shards (1 and 2), worker shards (2, started by each state) and warm workers (2 long-lived threads
// serving each state's ports, as the parallel VM's workers do), in turn, the order alternating; roots checked
// equal.
// BENCH_ROOT_READ=1: getAccounts() of the changed accounts first (as a block reads its accounts before writing
// them; a shard then prefetches their trie paths), timed apart, and read + root summed.
import { once } from 'node:events'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { Session } from 'node:inspector/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { MessageChannel, Worker } from 'node:worker_threads'
import { type Account, type Address, type Db, type Hex, levelDb, type StateDb } from '@appchain/core'
import { tsBootstrap } from '@appchain/core/workers'
import { createShardedStateDb, createStateDb, shardNibbles } from '../src/index.js'
import { account, address, median, ms, printTable, threadCpuMs } from './util.js'

const BASE = Number(process.env.BENCH_ROOT_BASE ?? 100_000)
const N = Number(process.env.BENCH_ROOT_CHANGED ?? 40_000)
const RUNS = Number(process.env.BENCH_ROOT_RUNS ?? 5)
/** Which states to run, by name fragment (comma-separated); default all. */
const ONLY = process.env.BENCH_ROOT_ONLY?.split(',')
/** A directory: write a CPU profile of the main thread's root() in the last run, per state. */
const PROFILE = process.env.BENCH_ROOT_PROFILE
const READ = process.env.BENCH_ROOT_READ === '1'

// Two threads kept for the whole bench, each serving a shard on every state's port.
const servers = [0, 1].map(() => {
  const w = new Worker(tsBootstrap(new URL('./servingWorker.ts', import.meta.url)), {
    eval: true,
    execArgv: ['--conditions=source'],
  })
  w.unref()
  return w
})
function warmPorts() {
  return servers.map((w, i) => {
    const { port1, port2 } = new MessageChannel()
    w.postMessage({ port: port2, nibbles: shardNibbles(i, servers.length) }, [port2])
    return port1
  })
}

type Make = (db: Db, root: Hex) => Promise<StateDb & { close?: () => Promise<void> }>
const all: [string, Make][] = [
  ['createStateDb', async (db, root) => createStateDb({ db, root })],
  ['sharded, 1 in-thread', (db, root) => createShardedStateDb({ db, root, shards: 1, host: 'inThread' })],
  ['sharded, 2 in-thread', (db, root) => createShardedStateDb({ db, root, shards: 2, host: 'inThread' })],
  ['sharded, 2 workers', (db, root) => createShardedStateDb({ db, root, shards: 2 })],
  ['sharded, 2 warm workers', (db, root) => createShardedStateDb({ db, root, ports: warmPorts() })],
]
const variants = all.filter(([name]) => ONLY === undefined || ONLY.some((o) => name.includes(o)))

const dir = await mkdtemp(join(tmpdir(), 'sharded-root-bench-'))
try {
  process.stderr.write(`  … base: ${BASE} accounts into LevelDB\n`)
  const db = await levelDb({ path: join(dir, 'base') })
  const base = createStateDb({ db })
  const baseAddresses = Array.from({ length: BASE }, (_, i) => address(i))
  await base.putAccounts!(
    baseAddresses,
    baseAddresses.map((_, i) => account(BigInt(i + 1))),
  )
  const { root: baseRoot, ops } = await base.flush()
  await db.batch(ops)

  // The same changes for every state: N/2 existing accounts (every other one) and N/2 new ones.
  const addresses: Address[] = []
  const accounts: Account[] = []
  for (let i = 0; i < N; i++) {
    addresses.push(i % 2 === 0 && i < BASE ? baseAddresses[i]! : address(BASE + i))
    accounts.push(account(BigInt(i + 5), 1n))
  }

  const wall = new Map<string, number[]>(variants.map(([n]) => [n, []]))
  const cpu = new Map<string, number[]>(variants.map(([n]) => [n, []]))
  const other = new Map<string, number[]>(variants.map(([n]) => [n, []]))
  const reads = new Map<string, number[]>(variants.map(([n]) => [n, []]))
  for (let run = 0; run <= RUNS; run++) {
    const roots = new Set<Hex>()
    const order = run % 2 === 0 ? variants : [...variants].reverse()
    for (const [name, make] of order) {
      const state = await make(db, baseRoot)
      const r0 = performance.now()
      if (READ) await state.getAccounts!(addresses)
      const read = performance.now() - r0
      await state.putAccounts!(addresses, accounts)
      const session = PROFILE !== undefined && run === RUNS ? new Session() : undefined
      if (session !== undefined) {
        session.connect()
        await session.post('Profiler.enable')
        await session.post('Profiler.start')
      }
      const c0 = threadCpuMs()
      const p0 = process.cpuUsage()
      const t0 = performance.now()
      roots.add(await state.root())
      const t = performance.now() - t0
      const c = threadCpuMs() - c0
      const p = process.cpuUsage(p0)
      if (session !== undefined) {
        const { profile } = await session.post('Profiler.stop')
        await writeFile(join(PROFILE!, `root-${name.replace(/\W+/g, '-')}.cpuprofile`), JSON.stringify(profile))
        session.disconnect()
      }
      await state.close?.()
      if (run > 0) {
        wall.get(name)!.push(t)
        cpu.get(name)!.push(c)
        other.get(name)!.push((p.user + p.system) / 1000 - c)
        reads.get(name)!.push(read)
      }
    }
    if (roots.size !== 1) throw new Error(`run ${run}: roots differ: ${[...roots].join(' ')}`)
  }
  await db.close()

  const first = variants[0]![0]
  const w0 = median(wall.get(first)!)
  const c0 = median(cpu.get(first)!)
  console.log(
    `\nroot() of ${N / 1000}k changed accounts (half existing) after putAccounts, fresh state on a ${BASE / 1000}k-account LevelDB, median of ${RUNS} runs after a first (node ${process.version})`,
  )
  const r0 = median(wall.get(first)!.map((w, i) => w + reads.get(first)![i]!))
  printTable(
    [
      'state (ms, median)',
      ...(READ ? ['getAccounts', 'read + root', `vs ${first}`] : []),
      'root() wall',
      `vs ${first}`,
      'main-thread CPU',
      `vs ${first}`,
      'other threads CPU',
    ],
    variants.map(([name]) => {
      const w = median(wall.get(name)!)
      const c = median(cpu.get(name)!)
      const rr = median(wall.get(name)!.map((x, i) => x + reads.get(name)![i]!))
      return [
        name,
        ...(READ ? [ms(median(reads.get(name)!)), ms(rr), `${(r0 / rr).toFixed(2)}x`] : []),
        ms(w),
        `${(w0 / w).toFixed(2)}x`,
        ms(c),
        `${(c0 / c).toFixed(2)}x`,
        ms(median(other.get(name)!)),
      ]
    }),
  )
  console.log(
    '(main-thread CPU from /proc/thread-self/stat, 10 ms ticks; other threads CPU: process.cpuUsage() minus the main thread during root(): shard workers, LevelDB and GC threads; ratio > 1: faster than the first row; roots checked equal every run)\n',
  )
} finally {
  if (PROFILE !== undefined)
    await Promise.all(
      servers.map((w) => {
        w.postMessage('stop')
        return once(w, 'message')
      }),
    )
  await Promise.all(servers.map((w) => w.terminate()))
  await rm(dir, { recursive: true, force: true })
}
