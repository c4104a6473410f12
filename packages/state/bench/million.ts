// Ours alone on a big state (default 1M accounts), in its own process: time and peak RSS.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Db, type DbOp, levelDb, memoryDb } from '@appchain/core'
import { createStateDb, openStateDb } from '../src/index.js'
import { account, address, ms, printTable, rng } from './util.js'

const N = Number(process.argv[2] ?? 1_000_000)
const BLOCK = 10_000
const path = mkdtempSync(join(tmpdir(), 'appchain-state-bench-'))
let peak = 0
const sample = () => {
  peak = Math.max(peak, process.memoryUsage().rss)
}
const sampler = setInterval(sample, 50)
try {
  // BENCH_DB=memory keeps the flat state in a memoryDb instead; BENCH_DB=none does not write the ops
  // at all (our own memory alone, without LevelDB's).
  const mode = process.env.BENCH_DB ?? 'level'
  const db: Db = mode === 'level' ? await levelDb({ path }) : memoryDb()
  const write = (ops: DbOp[]) => (mode === 'none' ? Promise.resolve() : db.batch(ops))
  const state = createStateDb({ db, evictLeaves: process.env.BENCH_EVICT === '1' })
  const t0 = performance.now()
  // Genesis in blocks of 10k accounts: each flushed and written like a block would be.
  for (let i = 0; i < N; i += BLOCK) {
    for (let j = i; j < Math.min(N, i + BLOCK); j++) await state.putAccount(address(j), account(BigInt(j + 1)))
    await write((await state.flush()).ops)
    sample()
    if ((i + BLOCK) % 100_000 === 0)
      process.stderr.write(
        `  ${((i + BLOCK) / 1000).toFixed(0)}k accounts, ${((performance.now() - t0) / 1000).toFixed(0)} s, RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB\n`,
      )
  }
  const build = performance.now() - t0
  const rand = rng(42)
  const t1 = performance.now()
  for (let j = 0; j < BLOCK; j++) {
    const i = Math.floor(rand() * N)
    await state.putAccount(address(i), account(BigInt(i) + 7n))
  }
  await write((await state.flush()).ops)
  const commit = performance.now() - t1
  sample()
  global.gc?.()
  const rssAfter = process.memoryUsage().rss
  const heapAfter = process.memoryUsage().heapUsed
  const extAfter = process.memoryUsage().external + process.memoryUsage().arrayBuffers
  clearInterval(sampler)
  await db.close()

  // Restart: reopen the Db and the state at its root, then commit a 1k-key block (nodes load lazily).
  let reopen = Number.NaN
  let firstBlock = Number.NaN
  if (mode === 'level') {
    const t2 = performance.now()
    const db2 = await levelDb({ path })
    const reopened = await openStateDb({ db: db2 })
    await reopened.root()
    reopen = performance.now() - t2
    const t3 = performance.now()
    for (let j = 0; j < 1000; j++) {
      const i = Math.floor(rand() * N)
      await reopened.putAccount(address(i), account(BigInt(i) + 9n))
    }
    await db2.batch((await reopened.flush()).ops)
    firstBlock = performance.now() - t3
    await db2.close()
  }
  printTable(
    ['ours alone', 'value'],
    [
      [`build ${N.toLocaleString()} accounts (levelDb, blocks of 10k, flushed)`, `${ms(build)} ms`],
      [`commit 10k dirty keys on ${N.toLocaleString()}`, `${ms(commit)} ms`],
      ['peak RSS (sampled every 50 ms)', `${(peak / 2 ** 20).toFixed(0)} MB`],
      ['max RSS (getrusage)', `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`],
      [`RSS at the end${global.gc ? ' (after a full GC)' : ''}`, `${(rssAfter / 2 ** 20).toFixed(0)} MB`],
      [
        'JS heap used / committed at the end',
        `${(heapAfter / 2 ** 20).toFixed(0)} / ${(process.memoryUsage().heapTotal / 2 ** 20).toFixed(0)} MB`,
      ],
      ['external + array buffers at the end', `${(extAfter / 2 ** 20).toFixed(0)} MB`],
      ['restart: reopen Db + openStateDb + root()', `${ms(reopen)} ms`],
      ['restart: first 1k-key block (trie nodes loaded lazily)', `${ms(firstBlock)} ms`],
    ],
  )
} finally {
  clearInterval(sampler)
  rmSync(path, { recursive: true, force: true })
}
