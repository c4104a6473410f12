import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Db, levelDb, memoryDb } from '@appchain/core'
import { runDbConformance } from '@appchain/core/testing'
import { afterAll, describe, expect, it } from 'vitest'
import { cachedDb } from './cachedDb.js'

const root = mkdtempSync(join(tmpdir(), 'appchain-cacheddb-'))
let n = 0
afterAll(() => rmSync(root, { recursive: true, force: true }))

runDbConformance({ name: 'cachedDb(memoryDb)', create: async () => cachedDb(memoryDb(), { maxEntries: 4 }) })
runDbConformance({
  name: 'cachedDb(levelDb)',
  create: async () => cachedDb(await levelDb({ path: join(root, `db${n++}`) })),
})

const k = (x: number) => new Uint8Array([x])
const v = (x: number) => new Uint8Array([x, x])

/** A Db whose reads and writes wait until released, to interleave them at will. */
function gatedDb(inner: Db) {
  const gates: (() => void)[] = []
  let gated = true
  const gate = () => (gated ? new Promise<void>((r) => gates.push(r)) : Promise.resolve())
  const db: Db = {
    ...inner,
    async get(key) {
      const value = await inner.get(key)
      await gate()
      return value
    },
    async batch(ops) {
      await gate()
      await inner.batch(ops)
    },
  }
  return {
    db,
    release: () => gates.splice(0).forEach((g) => g()),
    open: () => {
      gated = false
      gates.splice(0).forEach((g) => g())
    },
  }
}

describe('cachedDb', () => {
  it('answers repeated reads from memory and sees every write', async () => {
    const inner = memoryDb()
    let reads = 0
    const db = cachedDb({
      ...inner,
      get: (key) => {
        reads++
        return inner.get(key)
      },
    })
    await db.batch([{ type: 'put', key: k(1), value: v(1) }])
    expect(await db.get(k(1))).toEqual(v(1))
    expect(await db.get(k(1))).toEqual(v(1))
    expect(await db.get(k(2))).toBeUndefined()
    expect(await db.get(k(2))).toBeUndefined()
    expect(reads).toBe(2)
    await db.batch([
      { type: 'put', key: k(2), value: v(2) },
      { type: 'del', key: k(1) },
    ])
    expect(await db.get(k(1))).toBeUndefined()
    expect(await db.get(k(2))).toEqual(v(2))
    expect(await db.getMany([k(1), k(2), k(3)])).toEqual([undefined, v(2), undefined])
    expect(reads).toBe(3)
  })

  it('never caches a value read before a write in flight landed', async () => {
    const inner = memoryDb()
    await inner.batch([{ type: 'put', key: k(1), value: v(1) }])
    const g = gatedDb(inner)
    const db = cachedDb(g.db)
    // The write starts first, the read of the old value overlaps it.
    const write = db.batch([{ type: 'put', key: k(1), value: v(9) }])
    const read = db.get(k(1))
    await new Promise((r) => setTimeout(r, 5))
    g.release()
    await write
    g.release()
    expect(await read).toEqual(v(1))
    g.open()
    expect(await db.get(k(1))).toEqual(v(9))
  })

  it('keeps the value of a write that started while the key was being read', async () => {
    const inner = memoryDb()
    await inner.batch([{ type: 'put', key: k(1), value: v(1) }])
    const g = gatedDb(inner)
    const db = cachedDb(g.db)
    const read = db.get(k(1))
    await new Promise((r) => setTimeout(r, 5))
    const write = db.batch([{ type: 'put', key: k(1), value: v(9) }])
    g.release()
    expect(await read).toEqual(v(1))
    g.open()
    await write
    expect(await db.get(k(1))).toEqual(v(9))
  })

  it('forgets everything when a write fails', async () => {
    const inner = memoryDb()
    let fail = false
    const db = cachedDb({
      ...inner,
      batch: async (ops) => {
        if (fail) throw new Error('disk full')
        await inner.batch(ops)
      },
    })
    await db.batch([{ type: 'put', key: k(1), value: v(1) }])
    expect(await db.get(k(1))).toEqual(v(1))
    fail = true
    await expect(db.batch([{ type: 'put', key: k(1), value: v(2) }])).rejects.toThrow('disk full')
    expect(await db.get(k(1))).toEqual(v(1))
  })

  it('refuses a bad size', () => {
    expect(() => cachedDb(memoryDb(), { maxEntries: 0 })).toThrow(RangeError)
  })
})
