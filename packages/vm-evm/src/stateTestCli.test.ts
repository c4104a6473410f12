import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { findStateTestFiles } from './stateTest.js'

const FIXTURES = new URL('../../../../shared/fixtures/state-tests/', import.meta.url).pathname
const CLI = new URL('./stateTestCli.ts', import.meta.url).pathname

function runCli(paths: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', CLI, ...paths], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, out }))
  })
}

// The whole GeneralStateTests subset (about 13k variants) for Cancun, through the bin itself, with the
// folders split over one process per core (balanced by bytes: test cost follows file size roughly).
it('appchain-state-test passes every state test in ../shared/fixtures/state-tests for Cancun', async () => {
  const folders = readdirSync(FIXTURES).map((f) => join(FIXTURES, f))
  const weight = (dir: string) => findStateTestFiles([dir]).reduce((n, f) => n + statSync(f).size, 0)
  const groups: { paths: string[]; size: number }[] = Array.from(
    { length: Math.max(2, availableParallelism()) },
    () => ({ paths: [], size: 0 }),
  )
  for (const { dir, size } of folders.map((dir) => ({ dir, size: weight(dir) })).sort((a, b) => b.size - a.size)) {
    const g = groups.reduce((a, b) => (b.size < a.size ? b : a))
    g.paths.push(dir)
    g.size += size
  }
  const results = await Promise.all(groups.filter((g) => g.paths.length).map((g) => runCli(g.paths)))
  let passed = 0
  let failed = 0
  let skipped = 0
  const failures: string[] = []
  for (const r of results) {
    const m = /(\d+) passed, (\d+) failed, (\d+) skipped\s*$/.exec(r.out)
    expect(m, r.out.slice(-2000)).not.toBeNull()
    passed += Number(m![1])
    failed += Number(m![2])
    skipped += Number(m![3])
    failures.push(...r.out.split('\n').filter((l) => l.startsWith('FAIL')))
    expect(r.code).toBe(failed > 0 ? 1 : 0)
  }
  expect(failures).toEqual([])
  expect(failed).toBe(0)
  // The only skips: the 10 blob-transaction variants (see skipReason in stateTest.ts).
  expect(skipped).toBe(10)
  expect(passed).toBeGreaterThanOrEqual(12_946)
}, 900_000)

it('appchain-state-test prints one line per failure and exits non-zero', async () => {
  const test = JSON.parse(readFileSync(join(FIXTURES, 'stExample', 'add11.json'), 'utf8')) as Record<
    string,
    { post: { Cancun: { hash: string }[] } }
  >
  const first = Object.values(test)[0]!
  first.post.Cancun[0]!.hash = `0x${'11'.repeat(32)}`
  const dir = mkdtempSync(join(tmpdir(), 'state-test-'))
  try {
    writeFileSync(join(dir, 'broken.json'), JSON.stringify(test))
    const { code, out } = await runCli([dir])
    expect(code).toBe(1)
    const lines = out.trim().split('\n')
    expect(lines.filter((l) => l.startsWith('FAIL'))).toHaveLength(1)
    expect(lines[0]).toMatch(/state root 0x[0-9a-f]{64} != 0x1111/)
    expect(lines.at(-1)).toMatch(/^\d+ passed, 1 failed, 0 skipped$/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
