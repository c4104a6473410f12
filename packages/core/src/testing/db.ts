import { bytesToHex } from '../bytes.js'
import type { Db } from '../interfaces/db.js'
import { type ConformanceCase, check, checkConformance, registerConformance } from './conformance.js'

export interface DbConformanceOptions {
  /** A fresh, empty Db for each case. */
  create(): Promise<Db>
}

const b = (...bytes: number[]) => new Uint8Array(bytes)
const hex = (x: Uint8Array | undefined) => (x ? bytesToHex(x) : 'undefined')

async function collect(it: AsyncIterable<[Uint8Array, Uint8Array]>) {
  const out: string[] = []
  for await (const [k] of it) out.push(hex(k))
  return out
}

async function withDb(opts: DbConformanceOptions, fn: (db: Db) => Promise<void>) {
  const db = await opts.create()
  try {
    await fn(db)
  } finally {
    await db.close()
  }
}

/** The cases every `Db` implementation must pass. */
export function dbConformanceCases(): ConformanceCase<DbConformanceOptions>[] {
  return [
    {
      name: 'get of a missing key is undefined',
      run: (o) => withDb(o, async (db) => check((await db.get(b(9))) === undefined, 'missing key returned a value')),
    },
    {
      name: 'put then get returns the same bytes',
      run: (o) =>
        withDb(o, async (db) => {
          await db.put(b(1, 2), b(3, 4, 5))
          check(hex(await db.get(b(1, 2))) === '0x030405', 'value differs after put')
          await db.del(b(1, 2))
          check((await db.get(b(1, 2))) === undefined, 'value still there after del')
        }),
    },
    {
      name: 'batch applies puts and dels in order',
      run: (o) =>
        withDb(o, async (db) => {
          await db.batch([
            { type: 'put', key: b(1), value: b(1) },
            { type: 'put', key: b(2), value: b(2) },
            { type: 'del', key: b(1) },
            { type: 'put', key: b(2), value: b(22) },
          ])
          check((await db.get(b(1))) === undefined, 'deleted key survived the batch')
          check(hex(await db.get(b(2))) === '0x16', 'last put in a batch did not win')
          const many = await db.getMany([b(1), b(2)])
          check(many.length === 2 && many[0] === undefined && hex(many[1]) === '0x16', 'getMany differs from get')
        }),
    },
    {
      name: 'iterates in byte order, with ranges, reverse and limit',
      run: (o) =>
        withDb(o, async (db) => {
          await db.batch(
            [b(2), b(1, 0), b(1), b(0, 255), b(3)].map((key, i) => ({ type: 'put' as const, key, value: b(i) })),
          )
          const all = await collect(db.iterator())
          check(all.join() === '0x00ff,0x01,0x0100,0x02,0x03', `wrong order: ${all.join()}`)
          const range = await collect(db.iterator({ gte: b(1), lt: b(3) }))
          check(range.join() === '0x01,0x0100,0x02', `wrong range: ${range.join()}`)
          const rev = await collect(db.iterator({ reverse: true, limit: 2 }))
          check(rev.join() === '0x03,0x02', `wrong reverse/limit: ${rev.join()}`)
          const gtLte = await collect(db.iterator({ gt: b(1), lte: b(2) }))
          check(gtLte.join() === '0x0100,0x02', `wrong gt/lte: ${gtLte.join()}`)
        }),
    },
    {
      name: 'stored values are not aliased to the caller’s buffers',
      run: (o) =>
        withDb(o, async (db) => {
          const value = b(7)
          await db.put(b(1), value)
          value[0] = 8
          check(hex(await db.get(b(1))) === '0x07', 'mutating the input changed the stored value')
        }),
    },
    {
      name: 'operations after close are refused',
      run: async (o) => {
        const db = await o.create()
        await db.close()
        let refused = false
        try {
          await db.get(b(1))
        } catch {
          refused = true
        }
        check(refused, 'get after close did not throw')
      },
    },
  ]
}

/**
 * Registers the `Db` conformance suite with vitest.
 *
 * @example
 * ```ts
 * import { runDbConformance } from '@appchain/core/testing'
 * runDbConformance({ create: async () => memoryDb() })
 * ```
 */
export function runDbConformance(opts: DbConformanceOptions & { name?: string }): void {
  registerConformance(`Db conformance: ${opts.name ?? 'db'}`, dbConformanceCases(), opts)
}

/** Runs the `Db` suite outside vitest and returns the failures. */
export function checkDbConformance(opts: DbConformanceOptions) {
  return checkConformance(dbConformanceCases(), opts)
}
