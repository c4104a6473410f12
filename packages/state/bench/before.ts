// BENCH_BEFORE=<an older src/index.ts>: that version and this one side by side on a block touching
// BENCH_DIRTY accounts (from empty, and on a BENCH_BASE base), alternating runs in one process, same
// inputs, roots checked equal. Run by bench/index.ts in its own process.
import { memoryDb } from '@appchain/core'
import { createStateDb, createTrie, encodeAccount } from '../src/index.js'
import { account, address, median, ms, printTable, rng } from './util.js'

const BASE = Number(process.env.BENCH_BASE ?? 100_000)
const RUNS = Number(process.env.BENCH_RUNS ?? 5)
const DIRTY = Number(process.env.BENCH_DIRTY ?? 40_000)
const BEFORE = process.env.BENCH_BEFORE
if (BEFORE === undefined) throw new TypeError('BENCH_BEFORE: the path of an older src/index.ts')
const EMPTY_ROOT = Buffer.from('56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421', 'hex') as Uint8Array
const addresses = Array.from({ length: BASE }, (_, i) => address(i))
const addressBytes = addresses.map((a) => Buffer.from(a.slice(2), 'hex') as Uint8Array)
const record = (balance: bigint) => encodeAccount(account(balance), EMPTY_ROOT)
const progress = (msg: string) => process.stderr.write(`  … ${msg}\n`)

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now()
  await fn()
  return performance.now() - t
}

type Impl = { createStateDb: typeof createStateDb; createTrie: typeof createTrie }
const beforeRows: string[][] = []
{
  const impls: [string, Impl][] = [
    ['before', (await import(BEFORE)) as Impl],
    ['now', { createStateDb, createTrie }],
  ]
  const n = DIRTY
  const label = `${n / 1000}k`
  const rand = rng(4242)
  const picks = new Set<number>()
  while (picks.size < Math.min(n, BASE)) picks.add(Math.floor(rand() * BASE))
  const order = [...picks]
  const times = new Map<string, Record<string, number[]>>()
  const bases = new Map<
    string,
    { db: ReturnType<typeof memoryDb>; st: ReturnType<typeof createStateDb>; tr: ReturnType<typeof createTrie> }
  >()
  for (const [name, m] of impls) {
    progress(`${name}: ${BASE / 1000}k base (not timed)`)
    const bdb = memoryDb()
    const st = m.createStateDb({ db: bdb })
    for (let i = 0; i < BASE; i++) await st.putAccount(addresses[i]!, account(BigInt(i + 1)))
    await bdb.batch((await st.flush()).ops)
    const tr = m.createTrie({ secure: true })
    for (let i = 0; i < BASE; i++) await tr.put(addressBytes[i]!, record(BigInt(i + 1)))
    tr.commit()
    bases.set(name, { db: bdb, st, tr })
    times.set(name, { fresh: [], freshRoot: [], freshTrie: [], base: [], baseRoot: [], baseTrie: [] })
  }
  progress(`before vs now: ${label} accounts, ${RUNS} runs each, alternating`)
  for (let r = 0; r < RUNS; r++) {
    const roots = new Map<string, string[]>()
    for (const [name, m] of r % 2 === 0 ? impls : [...impls].reverse()) {
      const t = times.get(name)!
      const got: string[] = []
      const st = m.createStateDb({ db: memoryDb() })
      let rootMs = 0
      t.fresh!.push(
        await timed(async () => {
          for (let i = 0; i < n; i++) await st.putAccount(addresses[i % BASE]!, account(BigInt(i + 7)))
          const t0 = performance.now()
          got.push(await st.root())
          rootMs = performance.now() - t0
        }),
      )
      t.freshRoot!.push(rootMs)
      const tr = m.createTrie({ secure: true })
      t.freshTrie!.push(
        await timed(async () => {
          for (let i = 0; i < n; i++) await tr.put(addressBytes[i % BASE]!, record(BigInt(i + 7)))
          tr.commit()
        }),
      )
      got.push(tr.root())
      const b = bases.get(name)!
      t.base!.push(
        await timed(async () => {
          for (const i of order) await b.st.putAccount(addresses[i]!, account(BigInt(i) + 11n + BigInt(r)))
          const t0 = performance.now()
          got.push(await b.st.root())
          rootMs = performance.now() - t0
        }),
      )
      t.baseRoot!.push(rootMs)
      await b.db.batch((await b.st.flush()).ops)
      t.baseTrie!.push(
        await timed(async () => {
          for (const i of order) await b.tr.put(addressBytes[i]!, record(BigInt(i) + 11n + BigInt(r)))
          b.tr.commit()
        }),
      )
      got.push(b.tr.root())
      roots.set(name, got)
    }
    if (roots.get('before')!.join() !== roots.get('now')!.join())
      throw new Error(`before and now roots differ in run ${r}`)
  }
  const b = times.get('before')!
  const w = times.get('now')!
  const line = (name: string, k: string) => {
    const [x, y] = [median(b[k]!), median(w[k]!)]
    beforeRows.push([name, ms(x), ms(y), `${(x / y).toFixed(2)}x`])
  }
  line(`${label} from empty: putAccount ×n + root()`, 'fresh')
  line(`${label} from empty: root() alone`, 'freshRoot')
  line(`${label} from empty: trie put ×n + commit()`, 'freshTrie')
  line(`${label} dirty on ${BASE / 1000}k: putAccount ×n + root()`, 'base')
  line(`${label} dirty on ${BASE / 1000}k: root() alone`, 'baseRoot')
  line(`${label} dirty on ${BASE / 1000}k: trie put ×n + commit()`, 'baseTrie')
}

printTable([`ours (ms, median of ${RUNS})`, 'before', 'now', 'speed-up'], beforeRows)
console.log(`(before = ${BEFORE}; runs alternate in this process, roots checked equal)\n`)
