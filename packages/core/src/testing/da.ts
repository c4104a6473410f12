import { bytesToHex } from '../bytes.js'
import { BaseError } from '../errors/base.js'
import type { DaAdapter } from '../interfaces/da.js'
import { type ConformanceCase, check, checkConformance, registerConformance } from './conformance.js'

export interface DaConformanceOptions {
  /** A fresh adapter; closed after each case. */
  create(): Promise<DaAdapter>
}

async function withDa(o: DaConformanceOptions, fn: (da: DaAdapter) => Promise<void>) {
  const da = await o.create()
  try {
    await fn(da)
  } finally {
    await da.close()
  }
}

const blob = (seed: number, size: number) => Uint8Array.from({ length: size }, (_, i) => (seed * 31 + i) & 0xff)

export function daConformanceCases(): ConformanceCase<DaConformanceOptions>[] {
  return [
    {
      name: 'submit then get returns the same bytes',
      run: (o) =>
        withDa(o, async (da) => {
          const blobs = [blob(1, 100), blob(2, 1)]
          const refs = await da.submit(blobs)
          check(refs.length === blobs.length, 'submit returned a ref count that differs from the blob count')
          for (let i = 0; i < refs.length; i++) {
            check(bytesToHex(await da.get(refs[i]!)) === bytesToHex(blobs[i]!), `blob ${i} differs on get`)
          }
        }),
    },
    {
      name: 'getAll returns the blobs of a height in submission order',
      run: (o) =>
        withDa(o, async (da) => {
          const refs = await da.submit([blob(3, 10), blob(4, 10)])
          const at = await da.getAll(refs[0]!.height)
          const mine = at.filter((x) => refs.some((r) => r.id === x.ref.id && r.height === x.ref.height))
          check(mine.length === 2, 'getAll did not return both blobs')
          check(bytesToHex(mine[0]!.data) === bytesToHex(blob(3, 10)), 'getAll order differs from submission order')
        }),
    },
    {
      name: 'head never goes backwards and covers submitted heights',
      run: (o) =>
        withDa(o, async (da) => {
          const h0 = await da.head()
          const [ref] = await da.submit([blob(5, 5)])
          const h1 = await da.head()
          check(h1 >= h0, 'head went backwards')
          check(h1 >= ref!.height, 'head is below the height of an included blob')
        }),
    },
    {
      name: 'a blob above maxBlobSize is refused with a BaseError',
      run: (o) =>
        withDa(o, async (da) => {
          let error: unknown
          try {
            await da.submit([new Uint8Array(da.maxBlobSize + 1)])
          } catch (e) {
            error = e
          }
          check(error instanceof BaseError, 'an oversized blob was accepted or refused without a BaseError')
        }),
    },
  ]
}

/**
 * Registers the `DaAdapter` conformance suite with vitest.
 *
 * @example
 * ```ts
 * runDaConformance({ create: async () => memoryDa() })
 * ```
 */
export function runDaConformance(opts: DaConformanceOptions & { name?: string }): void {
  registerConformance(`DaAdapter conformance: ${opts.name ?? 'da'}`, daConformanceCases(), opts)
}

export function checkDaConformance(opts: DaConformanceOptions) {
  return checkConformance(daConformanceCases(), opts)
}
