import { afterAll, describe, expect, it } from 'vitest'
import { WorkerCrashedError, WorkerPoolClosedError, WorkerTaskError } from './errors.js'
import { workerPool } from './workerPool.js'

type Task = { op: 'square'; n: number } | { op: 'throw' } | { op: 'exit' }
const pool = workerPool<Task, number>({ url: new URL('./testWorker.fixture.ts', import.meta.url), size: 2 })
afterAll(() => pool.close())

describe('workerPool', () => {
  it('runs tasks across workers and returns results in order', async () => {
    const out = await Promise.all(Array.from({ length: 50 }, (_, n) => pool.run({ op: 'square', n })))
    expect(out).toEqual(Array.from({ length: 50 }, (_, n) => n * n))
    expect(await pool.runOn(1, { op: 'square', n: 9 })).toBe(81)
  })

  it('turns a thrown error into a WorkerTaskError and keeps serving', async () => {
    const err = await pool.run({ op: 'throw' }).catch((e) => e)
    expect(err).toBeInstanceOf(WorkerTaskError)
    expect(err.data).toEqual({ remoteName: 'RangeError', message: 'bad task' })
    expect(await pool.run({ op: 'square', n: 3 })).toBe(9)
  })

  it('fails in-flight tasks of a crashed worker and replaces it', async () => {
    await expect(pool.runOn(0, { op: 'exit' })).rejects.toBeInstanceOf(WorkerCrashedError)
    expect(await pool.runOn(0, { op: 'square', n: 4 })).toBe(16)
  })

  it('refuses work after close', async () => {
    const p = workerPool<Task, number>({ url: new URL('./testWorker.fixture.ts', import.meta.url), size: 1 })
    await p.close()
    await expect(p.run({ op: 'square', n: 1 })).rejects.toBeInstanceOf(WorkerPoolClosedError)
  })

  it('validates its size', () => {
    expect(() => workerPool({ url: 'x.js', size: 0 })).toThrow(RangeError)
  })
})

describe('workerPool with TypeScript workers', () => {
  it('resolves workspace packages to their sources inside the worker', async () => {
    const p = workerPool<string, string>({ url: new URL('./sourceCheck.fixture.ts', import.meta.url), size: 1 })
    try {
      expect(await p.run('0x')).toBe('0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470')
    } finally {
      await p.close()
    }
  })
})
