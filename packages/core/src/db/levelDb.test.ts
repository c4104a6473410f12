import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { DbError } from '../errors/db.js'
import { runDbConformance } from '../testing/index.js'
import { levelDb } from './levelDb.js'

const root = mkdtempSync(join(tmpdir(), 'appchain-leveldb-'))
let n = 0
afterAll(() => rmSync(root, { recursive: true, force: true }))

runDbConformance({ name: 'levelDb', create: () => levelDb({ path: join(root, `db${n++}`) }) })

describe('levelDb', () => {
  it('keeps data across close and reopen', async () => {
    const path = join(root, 'reopen')
    const db = await levelDb({ path })
    await db.batch([{ type: 'put', key: new Uint8Array([1]), value: new Uint8Array([42]) }])
    await db.close()
    const again = await levelDb({ path })
    expect(await again.get(new Uint8Array([1]))).toEqual(new Uint8Array([42]))
    await again.close()
  })

  it('refuses to open a locked database with a DbError', async () => {
    const path = join(root, 'locked')
    const db = await levelDb({ path })
    await expect(levelDb({ path })).rejects.toBeInstanceOf(DbError)
    await db.close()
  })
})
