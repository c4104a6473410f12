import type { Address, GenesisAlloc } from '@appchain/core'
import { KECCAK_EMPTY } from '@appchain/core'
import { keccakReady, orderedTrieRoot } from '@appchain/state'
import { cpuMs, flushedState, median, transferWorkloads } from './workloads.js'

// How long `@appchain/state` takes for the bench's low-contention block alone (no VM): N senders' nonce and
// balance change plus N new receiver accounts, then `root()` (and `flush()` on a second state); and the two
// ordered tries of N items. Usage: BENCH_TXS=20000 npx tsx --conditions=source bench/stateRoot.ts
const N = Number(process.env.BENCH_TXS ?? 20_000)
const REPS = Number(process.env.BENCH_REPS ?? 3)
await keccakReady()
const w = transferWorkloads(N)[0]!
const alloc: GenesisAlloc = {}
for (const t of w.transfers) alloc[t.from.address] = { balance: 10n ** 24n }
const genesis = async (a: GenesisAlloc, s: import('@appchain/core').StateDb) => {
  for (const [addr, v] of Object.entries(a))
    await s.putAccount(addr as Address, { nonce: 0n, balance: v.balance ?? 0n, codeHash: KECCAK_EMPTY })
}
const puts: number[] = []
const roots: number[] = []
const rootCpus: number[] = []
const flushes: number[] = []
const tries: number[] = []
for (let rep = -1; rep < REPS; rep++) {
  for (const op of ['root', 'flush'] as const) {
    const state = await flushedState(alloc, genesis)
    const t0 = performance.now()
    for (const t of w.transfers) {
      await state.putAccount(t.from.address, { nonce: 1n, balance: 10n ** 24n - 1n, codeHash: KECCAK_EMPTY })
      await state.putAccount(t.to, { nonce: 0n, balance: 1n, codeHash: KECCAK_EMPTY })
    }
    const t1 = performance.now()
    const c1 = cpuMs().main
    if (op === 'root') await state.root()
    else await state.flush()
    const t2 = performance.now()
    const c2 = cpuMs().main
    if (rep < 0) continue
    if (op === 'root') {
      puts.push(t1 - t0)
      roots.push(t2 - t1)
      rootCpus.push(c2 - c1)
    } else flushes.push(t2 - t1)
  }
  const items = w.transfers.map((_, i) => new Uint8Array(200).fill(i & 255))
  const t3 = performance.now()
  orderedTrieRoot(items)
  if (rep >= 0) tries.push(performance.now() - t3)
}
console.table([
  {
    accounts: N * 2,
    'putAccount x2N ms': Math.round(median(puts)),
    'root() ms': Math.round(median(roots)),
    'root() CPU ms': Math.round(median(rootCpus)),
    'flush() ms': Math.round(median(flushes)),
    [`orderedTrieRoot(${N} x 200 B) ms`]: Math.round(median(tries)),
  },
])
