// npm run bench -w packages/state
// ours (@appchain/state) and @ethereumjs/mpt side by side, same inputs, both on an in-memory store.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { memoryDb } from '@appchain/core'
import { createMPT } from '@ethereumjs/mpt'
import { createStateDb, createTrie, encodeAccount } from '../src/index.js'
import { account, address, median, ms, printTable, rng } from './util.js'

const BASE = Number(process.env.BENCH_BASE ?? 100_000)
const RUNS = Number(process.env.BENCH_RUNS ?? 5)
const ONE_MILLION = Number(process.env.BENCH_BIG ?? 1_000_000)
const DIRTY = Number(process.env.BENCH_DIRTY ?? 40_000)
const EMPTY_ROOT = new Uint8Array(32).map(
  (_, i) =>
    [
      0x56, 0xe8, 0x1f, 0x17, 0x1b, 0xcc, 0x55, 0xa6, 0xff, 0x83, 0x45, 0xe6, 0x92, 0xc0, 0xf8, 0x6e, 0x5b, 0x48, 0xe0,
      0x1b, 0x99, 0x6c, 0xad, 0xc0, 0x01, 0x62, 0x2f, 0xb5, 0xe3, 0x63, 0xb4, 0x21,
    ][i]!,
)

const addresses = Array.from({ length: BASE }, (_, i) => address(i))
const addressBytes = addresses.map((a) => Buffer.from(a.slice(2), 'hex') as Uint8Array)
const record = (balance: bigint) => encodeAccount(account(balance), EMPTY_ROOT)

const row = (name: string, e: number, s: number, t: number) => [
  name,
  ms(e),
  ms(s),
  `${(e / s).toFixed(1)}x`,
  ms(t),
  `${(e / t).toFixed(1)}x`,
]

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now()
  await fn()
  return performance.now() - t
}

console.log(
  `@appchain/state vs @ethereumjs/mpt — ${BASE.toLocaleString()} accounts, median of ${RUNS} runs (node ${process.version})`,
)
console.log(
  'ethereumjs: createMPT({ useKeyHashing: true }) on its default in-memory MapDB, no pruning; commits as checkpoint() + puts + commit().',
)
console.log(
  'ours: createStateDb({ db: memoryDb() }): putAccount, then flush() and db.batch(ops) (flat state + trie nodes written); "ours trie": createTrie({ secure: true }) puts + commit().\n',
)

const rows: string[][] = []

// 1. Build from empty (one timed run per side; the result is the base of the commits below).
const progress = (msg: string) => process.stderr.write(`  … ${msg}\n`)
const theirs = await createMPT({ useKeyHashing: true })
const db = memoryDb()
const state = createStateDb({ db })
const trie = createTrie({ secure: true })
{
  progress(`ethereumjs: ${BASE} accounts`)
  const e = await timed(async () => {
    theirs.checkpoint()
    for (let i = 0; i < BASE; i++) await theirs.put(addressBytes[i]!, record(BigInt(i + 1)))
    await theirs.commit()
    theirs.root()
  })
  progress(`ours: ${BASE} accounts`)
  const s = await timed(async () => {
    for (let i = 0; i < BASE; i++) await state.putAccount(addresses[i]!, account(BigInt(i + 1)))
    const { ops } = await state.flush()
    await db.batch(ops)
  })
  const t = await timed(async () => {
    for (let i = 0; i < BASE; i++) await trie.put(addressBytes[i]!, record(BigInt(i + 1)))
    trie.commit()
  })
  rows.push([
    `root of ${BASE / 1000}k accounts from empty (1 run)`,
    ms(e),
    ms(s),
    `${(e / s).toFixed(1)}x`,
    ms(t),
    `${(e / t).toFixed(1)}x`,
  ])
}

// 2. Dirty keys committed on top of the base.
{
  let round = 0
  for (const dirty of [1_000, 10_000]) {
    progress(`commits of ${dirty} dirty keys, ${RUNS} runs`)
    const e: number[] = []
    const s: number[] = []
    const t: number[] = []
    for (let r = 0; r < RUNS; r++) {
      const rand = rng(++round)
      const picks = Array.from({ length: dirty }, () => Math.floor(rand() * BASE))
      const balance = BigInt(round) * 1_000_000_000n
      e.push(
        await timed(async () => {
          theirs.checkpoint()
          for (const i of picks) await theirs.put(addressBytes[i]!, record(balance + BigInt(i)))
          await theirs.commit()
          theirs.root()
        }),
      )
      s.push(
        await timed(async () => {
          for (const i of picks) await state.putAccount(addresses[i]!, account(balance + BigInt(i)))
          const { ops } = await state.flush()
          await db.batch(ops)
        }),
      )
      t.push(
        await timed(async () => {
          for (const i of picks) await trie.put(addressBytes[i]!, record(balance + BigInt(i)))
          trie.commit()
        }),
      )
      const roots = [Buffer.from(theirs.root()).toString('hex'), (await state.root()).slice(2), trie.root().slice(2)]
      if (new Set(roots).size !== 1) throw new Error(`roots differ after commit: ${roots.join(' ')}`)
    }
    const [me, mS, mt] = [median(e), median(s), median(t)]
    rows.push([
      `commit ${dirty / 1000}k dirty keys on ${BASE / 1000}k`,
      ms(me),
      ms(mS),
      `${(me / mS).toFixed(1)}x`,
      ms(mt),
      `${(me / mt).toFixed(1)}x`,
    ])
  }
}

// 3. A block touching 40k accounts (a parallel-VM block): from empty, and on top of the base above.
// ethereumjs runs once per case (tens of seconds); ours `BENCH_RUNS` times. "ours state" is putAccount
// for each account + root(); the detail table splits root() from the puts and checks flush()'s ops.
const detail: string[][] = []
{
  const n = DIRTY
  const label = `${n / 1000}k`
  // From empty: same accounts for every side.
  progress(`ethereumjs: ${label} accounts from empty`)
  const fresh = await createMPT({ useKeyHashing: true })
  const e = await timed(async () => {
    fresh.checkpoint()
    for (let i = 0; i < n; i++) await fresh.put(addressBytes[i % BASE]!, record(BigInt(i + 7)))
    await fresh.commit()
    fresh.root()
  })
  progress(`ours: ${label} accounts from empty, ${RUNS} runs`)
  const s: number[] = []
  const sRoot: number[] = []
  const t: number[] = []
  let freshOps = 0
  for (let r = 0; r < RUNS; r++) {
    const ours = createStateDb({ db: memoryDb() })
    let rootMs = 0
    s.push(
      await timed(async () => {
        for (let i = 0; i < n; i++) await ours.putAccount(addresses[i % BASE]!, account(BigInt(i + 7)))
        const t0 = performance.now()
        await ours.root()
        rootMs = performance.now() - t0
      }),
    )
    sRoot.push(rootMs)
    const oursTrie = createTrie({ secure: true })
    t.push(
      await timed(async () => {
        for (let i = 0; i < n; i++) await oursTrie.put(addressBytes[i % BASE]!, record(BigInt(i + 7)))
        oursTrie.commit()
      }),
    )
    const roots = [Buffer.from(fresh.root()).toString('hex'), (await ours.root()).slice(2), oursTrie.root().slice(2)]
    if (new Set(roots).size !== 1) throw new Error(`roots differ (${label} from empty): ${roots.join(' ')}`)
    freshOps = (await ours.flush()).ops.length
  }
  rows.push(row(`${label} accounts from empty (ethereumjs 1 run)`, e, median(s), median(t)))
  detail.push([`${label} accounts from empty`, ms(median(s) - median(sRoot)), ms(median(sRoot)), String(freshOps), '0'])

  // On top of the base: distinct random accounts of the base get new balances.
  const rand = rng(4242)
  const picks = new Set<number>()
  while (picks.size < Math.min(n, BASE)) picks.add(Math.floor(rand() * BASE))
  const order = [...picks]
  progress(`ethereumjs: ${label} dirty accounts on ${BASE / 1000}k`)
  const e2 = await timed(async () => {
    theirs.checkpoint()
    for (const i of order) await theirs.put(addressBytes[i]!, record(BigInt(i) + 3n))
    await theirs.commit()
    theirs.root()
  })
  progress(`ours: ${label} dirty accounts on ${BASE / 1000}k, ${RUNS} runs`)
  const s2: number[] = []
  const s2Root: number[] = []
  const t2: number[] = []
  let ops = 0
  let redundant = 0
  for (let r = 0; r < RUNS; r++) {
    // Each run changes every picked account again (run r writes balance + r), then flushes and writes.
    let rootMs = 0
    s2.push(
      await timed(async () => {
        for (const i of order) await state.putAccount(addresses[i]!, account(BigInt(i) + 3n + BigInt(RUNS - 1 - r)))
        const t0 = performance.now()
        await state.root()
        rootMs = performance.now() - t0
      }),
    )
    s2Root.push(rootMs)
    t2.push(
      await timed(async () => {
        for (const i of order) await trie.put(addressBytes[i]!, record(BigInt(i) + 3n + BigInt(RUNS - 1 - r)))
        trie.commit()
      }),
    )
    const flushed = (await state.flush()).ops
    // flush() should hold only changed flat entries and new trie nodes: count ops the Db already holds.
    redundant = 0
    for (const op of flushed) {
      if (op.type !== 'put' || op.key[1] !== 0x6e) continue
      if ((await db.get(op.key)) !== undefined) redundant++
    }
    ops = flushed.length
    await db.batch(flushed)
  }
  // The last run wrote the same balances as ethereumjs: roots must agree.
  const roots = [Buffer.from(theirs.root()).toString('hex'), (await state.root()).slice(2), trie.root().slice(2)]
  if (new Set(roots).size !== 1) throw new Error(`roots differ (${label} on base): ${roots.join(' ')}`)
  rows.push(row(`${label} dirty accounts on ${BASE / 1000}k (ethereumjs 1 run)`, e2, median(s2), median(t2)))
  detail.push([
    `${label} dirty accounts on ${BASE / 1000}k`,
    ms(median(s2) - median(s2Root)),
    ms(median(s2Root)),
    String(ops),
    String(redundant),
  ])
}

printTable(['case (ms, median)', 'ethereumjs', 'ours state', 'ratio', 'ours trie', 'ratio'], rows)
console.log('(ratio = ethereumjs time / ours; all roots checked equal after every commit)\n')
printTable(['ours state (ms, median)', 'putAccount ×n', 'root()', 'flush() ops', 'ops already in Db'], detail)
console.log('(flush() ops = flat entries + new trie nodes + the root record)\n')
// 3b. BENCH_BEFORE=<an older src/index.ts>: that version and this one side by side on the same block,
// in a fresh process (its own heap, not the one holding everything above).
if (process.env.BENCH_BEFORE !== undefined) {
  const child = spawnSync(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', fileURLToPath(new URL('./before.ts', import.meta.url))],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  )
  if (child.status !== 0) process.exitCode = 1
}

// 3c. The state-root paths of a 20k-transfer block (warm and cold root, flush, orderedTrieRoot), in a fresh
// process; with BASE=<dir holding another copy of src> side by side with it.
{
  console.log()
  const child = spawnSync(
    process.execPath,
    ['--expose-gc', '--conditions=source', '--import', 'tsx', fileURLToPath(new URL('./roots.ts', import.meta.url))],
    { stdio: ['ignore', 'inherit', 'inherit'], env: { BENCH_REPS: String(RUNS), ...process.env } },
  )
  if (child.status !== 0) process.exitCode = 1
}

// 3d. The sharded state (createShardedStateDb at 1 and 2 worker shards) against createStateDb on a LevelDB block,
// in a fresh process; BENCH_SHARDED=0 skips it.
if (process.env.BENCH_SHARDED !== '0') {
  console.log()
  const child = spawnSync(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', fileURLToPath(new URL('./sharded.ts', import.meta.url))],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  )
  if (child.status !== 0) process.exitCode = 1
}

// 4. Ours alone on 1M accounts, in a fresh process so its peak RSS is its own.
if (ONE_MILLION > 0) {
  const child = spawnSync(
    process.execPath,
    [
      '--expose-gc',
      '--conditions=source',
      '--import',
      'tsx',
      fileURLToPath(new URL('./million.ts', import.meta.url)),
      String(ONE_MILLION),
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  )
  if (child.status !== 0) process.exitCode = 1
}
