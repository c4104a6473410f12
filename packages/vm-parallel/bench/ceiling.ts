import { workerPool } from '@appchain/core/workers'
import { programSpec } from '../src/program.js'
import { nativeToken } from '../src/programs/nativeToken.js'
import type { CeilingKind, CeilingTask } from './ceilingWorker.js'
import { median } from './workloads.js'

// What this machine gives a second worker thread at best: each kind of the parallel VM's work split evenly over
// 1 and 2 worker threads with nothing serial at all (no main-thread work, no messages while they run, no shared
// state), the two counts alternating, medians. Any pipeline's 1 -> 2 worker speed-up on this machine is at most
// what its kinds of work get here.
//
// Usage: npx tsx --conditions=source bench/ceiling.ts   (CEILING_REPS, default 9)
const REPS = Number(process.env.CEILING_REPS ?? 9)
const specs = [programSpec(nativeToken({ authority: '0x00000000000000000000000000000000000000aa' }))]
// Sizes of a 20k-transfer block: its keccaks, its 40k changed accounts, its 20k programs.
const KINDS: { kind: CeilingKind; count: number; what: string }[] = [
  { kind: 'keccak', count: 200_000, what: 'keccaks of 532 bytes (compute, 32-byte results)' },
  { kind: 'trie', count: 40_000, what: 'accounts into a fresh @appchain/state trie, then its root' },
  { kind: 'program', count: 20_000, what: 'token transfers through the executor and sandbox' },
]
const pools = [1, 2].map((size) =>
  workerPool<CeilingTask, number>({ url: new URL('./ceilingWorker.ts', import.meta.url), size }),
)

/** Wall ms for `count` units split over `workers` threads, and each thread's own ms. */
async function round(workers: number, kind: CeilingKind, count: number): Promise<{ wall: number; own: number[] }> {
  const pool = pools[workers - 1]!
  const t = performance.now()
  const own = await Promise.all(
    Array.from({ length: workers }, (_, w) => pool.runOn(w, { kind, w, count: count / workers, specs })),
  )
  return { wall: performance.now() - t, own }
}

console.log(`\nCeiling: each kind of work split over 1 and 2 worker threads, nothing serial (medians of ${REPS})\n`)
console.log('| work | 1 worker ms | 2 workers ms | speed-up | 2 workers, each thread ms |')
console.log('|:--|--:|--:|--:|:--|')
try {
  for (const { kind, count, what } of KINDS) {
    // Warm-up: the sandbox compiled, the code optimised, in both pools.
    await round(1, kind, count / 4)
    await round(2, kind, count / 4)
    const one: number[] = []
    const two: number[] = []
    const twoOwn: number[][] = [[], []]
    for (let r = 0; r < REPS; r++) {
      one.push((await round(1, kind, count)).wall)
      const b = await round(2, kind, count)
      two.push(b.wall)
      b.own.forEach((ms, w) => twoOwn[w]!.push(ms))
    }
    const m1 = median(one)
    const m2 = median(two)
    console.log(
      `| ${count.toLocaleString('en')} ${what} | ${m1.toFixed(0)} | ${m2.toFixed(0)} | ${(m1 / m2).toFixed(2)}x | ${twoOwn.map((o) => median(o).toFixed(0)).join(' / ')} |`,
    )
  }
} finally {
  for (const p of pools) await p.close()
}
