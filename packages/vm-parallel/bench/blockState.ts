import { existsSync } from 'node:fs'
import type { Address, GenesisAlloc, StateDb } from '@appchain/core'
import { KECCAK_EMPTY, memoryDb } from '@appchain/core'
import { median } from './workloads.js'

// The main thread's state work for one low-contention block, without the VM around it: BENCH_ACCOUNTS
// accounts (half existing senders, half new receivers) loaded into a BlockState (one loadAccounts), every balance changed, flushed
// and the state root computed. BASE=dir runs another copy of src side by side (alternating, BENCH_REPS times), on
// its own copy of @appchain/state when one sits beside it (BASE/../state/src), as in compare.ts.
const N = Number(process.env.BENCH_ACCOUNTS ?? 40_000)
const REPS = Number(process.env.BENCH_REPS ?? 5)
const addrs: Address[] = []
const alloc: GenesisAlloc = {}
for (let i = 0; i < N; i++) {
  const a = `0x${(i + 1).toString(16).padStart(40, '0')}` as Address
  addrs.push(a)
  if (i % 2 === 0) alloc[a] = { balance: 10n ** 20n }
}
const write = async (al: GenesisAlloc, s: StateDb) => {
  for (const [a, v] of Object.entries(al))
    await s.putAccount(a as Address, { nonce: 0n, balance: v.balance ?? 0n, codeHash: KECCAK_EMPTY })
}
const dirs = [
  { name: 'src', dir: '../src' },
  ...(process.env.BASE ? [{ name: 'base', dir: `${process.env.BASE}/src` }] : []),
]
const stateOf = (dir: string) => {
  const u = new URL(`${dir}/../../state/src/stateDb.ts`, import.meta.url)
  return existsSync(u) ? u.href : '@appchain/state'
}
const variants = await Promise.all(
  dirs.map(async (d) => ({
    ...d,
    BlockState: (await import(`${d.dir}/blockState.ts`)).BlockState,
    createStateDb: (await import(stateOf(d.dir))).createStateDb as (c: { db: ReturnType<typeof memoryDb> }) => StateDb,
    cpu: [] as number[],
    roots: new Set<string>(),
  })),
)
for (let rep = -1; rep < REPS; rep++) {
  // Each variant goes first every other time: whichever runs second pays for the first one's garbage.
  for (const v of rep % 2 === 0 ? variants : [...variants].reverse()) {
    const db = memoryDb()
    const state = v.createStateDb({ db })
    await write(alloc, state)
    await db.batch((await state.flush()).ops)
    const c = process.cpuUsage()
    const bs = new v.BlockState(state)
    // As the VM loads a batch's declared accounts: one batched read.
    await bs.loadAccounts(addrs)
    for (const a of addrs) bs.setBalance(a, bs.balance(a)! + 1n)
    await bs.flush()
    const root = await state.root()
    const u = process.cpuUsage(c)
    if (rep < 0) continue
    v.cpu.push((u.user + u.system) / 1000)
    v.roots.add(root)
  }
}
console.table(variants.map((v) => ({ code: v.name, 'load+set+flush+root CPU ms': Math.round(median(v.cpu)) })))
if (variants.length === 2) {
  const [a, b] = variants as [(typeof variants)[0], (typeof variants)[0]]
  console.log(
    `${N} accounts: base/src CPU ${(median(b.cpu) / median(a.cpu)).toFixed(2)}x; roots ${new Set([...a.roots, ...b.roots]).size === 1 ? 'identical' : 'DIFFER'}`,
  )
}
