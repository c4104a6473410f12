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

printTable(['case (ms, median)', 'ethereumjs', 'ours state', 'ratio', 'ours trie', 'ratio'], rows)
console.log('(ratio = ethereumjs time / ours; all roots checked equal after every commit)\n')

// 3. Ours alone on 1M accounts, in a fresh process so its peak RSS is its own.
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
