// createStateDb's root() and flush() after a block of 2N changed accounts (N senders' nonce and balance, N new
// receivers), as the parallel VM's 20k-transfer block leaves them. With BENCH_OLD=<dir>/src/index.ts the same
// workload runs on that copy of the package too, alternating old/new in one process (both orders), and the roots
// must match. Usage (from the repo root):
//   BENCH_TXS=20000 npx tsx --conditions=source packages/state/bench/stateRoot.ts
//   git archive HEAD~1 packages/state/src | tar -x -C /tmp/old && ln -s $PWD/node_modules /tmp/old/node_modules
//   BENCH_OLD=/tmp/old/packages/state/src/index.ts npx tsx --conditions=source packages/state/bench/stateRoot.ts
import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { type Address, KECCAK_EMPTY, memoryDb, type StateDb } from '@appchain/core'
import * as current from '../src/index.js'
import { address, median, ms, printTable, threadCpuMs } from './util.js'

type Pkg = Pick<typeof current, 'createStateDb' | 'keccakReady'>
const N = Number(process.env.BENCH_TXS ?? 20_000)
const REPS = Number(process.env.BENCH_REPS ?? 5)
const OPS = (process.env.BENCH_OPS ?? 'root,flush').split(',')
/** BENCH_PROFILE=<prefix>: a CPU profile of each timed root()/flush() alone, written to <prefix>-<op>-<rep>.cpuprofile. */
const PROFILE = process.env.BENCH_PROFILE
const session = PROFILE === undefined ? undefined : new Session()
if (session !== undefined) {
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.setSamplingInterval', { interval: 100 })
}
const old: Pkg | undefined = process.env.BENCH_OLD ? await import(process.env.BENCH_OLD) : undefined

const senders = Array.from({ length: N }, (_, i) => address(i))
const receivers = Array.from({ length: N }, (_, i) => address(N + i))
const BIG = 10n ** 24n

/** A state that flushed the senders' genesis (its tries warm, as a node's state after the previous block). */
async function genesis(pkg: Pkg): Promise<StateDb> {
  await pkg.keccakReady()
  const db = memoryDb()
  const state = pkg.createStateDb({ db })
  for (const a of senders) await state.putAccount(a, { nonce: 0n, balance: BIG, codeHash: KECCAK_EMPTY })
  const { ops } = await state.flush()
  await db.batch(ops)
  return state
}

async function block(state: StateDb): Promise<void> {
  for (let i = 0; i < N; i++) {
    await state.putAccount(senders[i]!, { nonce: 1n, balance: BIG - 1n, codeHash: KECCAK_EMPTY })
    await state.putAccount(receivers[i] as Address, { nonce: 0n, balance: 1n, codeHash: KECCAK_EMPTY })
  }
}

type Sample = { wall: number; cpu: number; root: string }
let profiled = 0
async function run(pkg: Pkg, op: string): Promise<Sample> {
  const state = await genesis(pkg)
  await block(state)
  if (session !== undefined) await session.post('Profiler.start')
  const c0 = threadCpuMs()
  const t0 = performance.now()
  const root = op === 'root' ? await state.root() : (await state.flush()).root
  const wall = performance.now() - t0
  if (session !== undefined) {
    const { profile } = await session.post('Profiler.stop')
    writeFileSync(`${PROFILE}-${op}-${profiled++}.cpuprofile`, JSON.stringify(profile))
  }
  return { wall, cpu: threadCpuMs() - c0, root }
}

const sides: [string, Pkg][] = old === undefined ? [['new', current]] : [['old', old], ['new', current]]
const samples = new Map<string, Sample[]>()
let expected: string | undefined
for (let rep = -1; rep < REPS; rep++) {
  for (const op of OPS) {
    // Alternate which side runs first (the first is favoured on this machine).
    const order = rep % 2 === 0 ? sides : [...sides].reverse()
    for (const [name, pkg] of order) {
      const s = await run(pkg, op)
      expected ??= s.root
      if (s.root !== expected) throw new Error(`${name} ${op}: root ${s.root} != ${expected}`)
      if (rep < 0) continue
      const key = `${op} ${name}`
      samples.set(key, [...(samples.get(key) ?? []), s])
    }
  }
}
console.log(`createStateDb, ${2 * N} changed accounts (${N} senders' nonce+balance, ${N} new), median of ${REPS}`)
const rows: string[][] = []
for (const op of OPS) {
  const n = samples.get(`${op} new`)!
  const o = samples.get(`${op} old`)
  const mw = median(n.map((s) => s.wall))
  const mc = median(n.map((s) => s.cpu))
  const row = [`${op}()`, ms(mw), ms(mc)]
  if (o !== undefined) {
    const ow = median(o.map((s) => s.wall))
    const oc = median(o.map((s) => s.cpu))
    row.push(ms(ow), ms(oc), `${(mw / ow).toFixed(2)}x`, `${(mc / oc).toFixed(2)}x`)
  }
  rows.push(row)
}
printTable(
  old === undefined
    ? ['op', 'ms', 'CPU ms']
    : ['op', 'new ms', 'new CPU ms', 'old ms', 'old CPU ms', 'new/old ms', 'new/old CPU'],
  rows,
)
