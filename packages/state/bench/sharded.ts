import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { Session } from 'node:inspector/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { type Account, type Address, type Db, type DbOp, type Hex, levelDb, type StateDb } from '@appchain/core'
import { createShardedStateDb, createStateDb } from '../src/index.js'
import { account, address, median, ms, printTable, rng, threadCpuMs } from './util.js'

const BASE = Number(process.env.BENCH_SHARDED_BASE ?? 100_000)
const EXISTING = Number(process.env.BENCH_SHARDED_EXISTING ?? 20_000)
const NEW = Number(process.env.BENCH_SHARDED_NEW ?? 20_000)
const BLOCKS = Number(process.env.BENCH_SHARDED_BLOCKS ?? 5)
/** A directory: write a CPU profile of the main thread's root()+flush() in the last block, per state. */
const PROFILE = process.env.BENCH_SHARDED_PROFILE
/** Which states to run (for profiles), by name fragment; default all. */
const ONLY = process.env.BENCH_SHARDED_ONLY

type Variant = { name: string; db: Db; state: StateDb & { close?: () => Promise<void> } }
type Sample = { read: number; wall: number; cpu: number; busy: number; other: number; put: number }

const progress = (msg: string) => process.stderr.write(`  … ${msg}\n`)
const dir = await mkdtemp(join(tmpdir(), 'sharded-bench-'))
try {
  // The base state: BASE accounts flushed into a LevelDB, then copied once per variant.
  progress(`base: ${BASE} accounts into LevelDB`)
  const baseDb = await levelDb({ path: join(dir, 'base') })
  const base = createStateDb({ db: baseDb })
  const baseAddresses = Array.from({ length: BASE }, (_, i) => address(i))
  await base.putAccounts!(
    baseAddresses,
    baseAddresses.map((_, i) => account(BigInt(i + 1))),
  )
  const { root: baseRoot, ops } = await base.flush()
  await baseDb.batch(ops)
  await baseDb.close()

  const variants: Variant[] = []
  for (const [name, make] of [
    ['createStateDb', (db: Db) => Promise.resolve(createStateDb({ db, root: baseRoot }))],
    ['sharded, 1 worker', (db: Db) => createShardedStateDb({ db, shards: 1, root: baseRoot })],
    ['sharded, 2 workers', (db: Db) => createShardedStateDb({ db, shards: 2, root: baseRoot })],
  ] as const) {
    if (ONLY !== undefined && !name.includes(ONLY)) continue
    const path = join(dir, `v${variants.length}`)
    await cp(join(dir, 'base'), path, { recursive: true })
    const db = await levelDb({ path })
    variants.push({ name, db, state: await make(db) })
  }

  // One block: EXISTING distinct base accounts (read, then +1 balance and nonce) and NEW fresh accounts.
  const samples = new Map<string, Sample[]>(variants.map((v) => [v.name, []]))
  const rand = rng(7)
  let fresh = BASE
  for (let block = 0; block <= BLOCKS; block++) {
    const picks = new Set<number>()
    while (picks.size < Math.min(EXISTING, BASE)) picks.add(Math.floor(rand() * BASE))
    const existing = [...picks].map((i) => baseAddresses[i]!)
    const created = Array.from({ length: NEW }, () => address(fresh++))
    const addresses: Address[] = [...existing, ...created]
    const roots = new Set<Hex>()
    // Alternate the order so no variant always runs first (GC and cache state of the shared machine).
    const order = block % 2 === 0 ? variants : [...variants].reverse()
    for (const v of order) {
      progress(`block ${block}: ${v.name}`)
      const r0 = performance.now()
      const before = await v.state.getAccounts!(existing)
      const read = performance.now() - r0
      const accounts: Account[] = before.map((a, i) => ({
        nonce: (a?.nonce ?? 0n) + 1n,
        balance: (a?.balance ?? 0n) + BigInt(block + i),
        codeHash: a!.codeHash,
      }))
      for (let i = 0; i < created.length; i++) accounts.push(account(BigInt(1000 + block + i)))
      const p0 = performance.now()
      await v.state.putAccounts!(addresses, accounts)
      const put = performance.now() - p0
      const session = PROFILE !== undefined && block === BLOCKS ? new Session() : undefined
      if (session !== undefined) {
        session.connect()
        await session.post('Profiler.enable')
        await session.post('Profiler.start')
      }
      const elu0 = performance.eventLoopUtilization()
      const c0 = threadCpuMs()
      const pc0 = process.cpuUsage()
      const t0 = performance.now()
      await v.state.root()
      const { root, ops } = await v.state.flush()
      const wall = performance.now() - t0
      const cpu = threadCpuMs() - c0
      const processCpu = process.cpuUsage(pc0)
      const other = (processCpu.user + processCpu.system) / 1000 - cpu
      const busy = performance.eventLoopUtilization(elu0).active
      if (session !== undefined) {
        const { profile } = await session.post('Profiler.stop')
        await writeFile(join(PROFILE!, `${v.name.replace(/\W+/g, '-')}.cpuprofile`), JSON.stringify(profile))
        session.disconnect()
      }
      roots.add(root)
      await v.db.batch(ops as DbOp[])
      if (block > 0) samples.get(v.name)!.push({ read, wall, cpu, busy, other, put })
    }
    if (roots.size !== 1) throw new Error(`block ${block}: roots differ: ${[...roots].join(' ')}`)
  }

  const first = samples.get(variants[0]!.name)!
  const baseline = median(first.map((s) => s.wall))
  const baselineCpu = median(first.map((s) => s.cpu))
  console.log(
    `\nsharded state: ${EXISTING / 1000}k existing + ${NEW / 1000}k new accounts per block on a ${BASE / 1000}k-account LevelDB, median of ${BLOCKS} blocks after a first (node ${process.version})`,
  )
  printTable(
    [
      'state (ms, median)',
      'getAccounts',
      'putAccounts',
      'root+flush wall',
      'vs first row',
      'main-thread CPU',
      'vs first row',
      'event loop busy',
      'other threads CPU',
    ],
    variants.map((v) => {
      const s = samples.get(v.name)!
      const wall = median(s.map((x) => x.wall))
      const cpu = median(s.map((x) => x.cpu))
      return [
        v.name,
        ms(median(s.map((x) => x.read))),
        ms(median(s.map((x) => x.put))),
        ms(wall),
        `${(baseline / wall).toFixed(2)}x`,
        ms(cpu),
        `${(baselineCpu / cpu).toFixed(2)}x`,
        ms(median(s.map((x) => x.busy))),
        ms(median(s.map((x) => x.other))),
      ]
    }),
  )
  console.log(
    '(main-thread CPU = user+system time of the main thread during root()+flush() from /proc/thread-self/stat (10 ms ticks); event loop busy = performance.eventLoopUtilization() active time over the same span; other threads CPU = the process CPU (process.cpuUsage) minus the main thread: shard workers, LevelDB and GC threads; roots checked equal every block; ratio > 1: faster than the first row, createStateDb)\n',
  )
  for (const v of variants) {
    await v.state.close?.()
    await v.db.close()
  }
} finally {
  await rm(dir, { recursive: true, force: true })
}
