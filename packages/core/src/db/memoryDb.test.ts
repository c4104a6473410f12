import { describe, expect, it } from 'vitest'
import type { Db } from '../interfaces/db.js'
import { checkDbConformance, runDbConformance } from '../testing/index.js'
import { memoryDb } from './memoryDb.js'

runDbConformance({ name: 'memoryDb', create: async () => memoryDb() })

describe('Db conformance catches broken implementations', () => {
  it('fails a Db whose batch drops deletes and whose iterator is unordered', async () => {
    const broken = (): Db => {
      const inner = memoryDb()
      return {
        ...inner,
        batch: (ops) => inner.batch(ops.filter((op) => op.type === 'put')),
        async *iterator(range) {
          const all: [Uint8Array, Uint8Array][] = []
          for await (const e of inner.iterator(range)) all.push(e)
          yield* all.reverse()
        },
      }
    }
    const failures = await checkDbConformance({ create: async () => broken() })
    expect(failures.map((f) => f.name)).toEqual([
      'batch applies puts and dels in order',
      'iterates in byte order, with ranges, reverse and limit',
    ])
  })
})
