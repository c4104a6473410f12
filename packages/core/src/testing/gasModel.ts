import { blockGasStore } from '../blockGasStore.js'
import { BaseError } from '../errors/base.js'
import type { ChargeContext, GasModel, GasStore } from '../interfaces/gasModel.js'
import type { Address, TxEnvelope } from '../types.js'
import { type ConformanceCase, check, checkConformance, registerConformance } from './conformance.js'

export interface GasModelConformanceOptions {
  create(): GasModel
  /** Transactions the model admits at genesis fees (with `balances`). */
  admissibleTxs: TxEnvelope[]
  /** Native balances for `balanceOf` (a paymaster's funds, for example). */
  balances?: Record<Address, bigint>
}

/** A `GasStore` on a Map, for tests. */
export function memoryGasStore(): GasStore & { entries: Map<string, bigint> } {
  const entries = new Map<string, bigint>()
  return {
    entries,
    async get(key) {
      return entries.get(key) ?? 0n
    },
    async set(key, value) {
      if (value < 0n) throw new RangeError(`GasStore value below zero: ${key}=${value}`)
      entries.set(key, value)
    },
  }
}

function ctxFor(o: GasModelConformanceOptions, model: GasModel, store: GasStore): ChargeContext & { chainId: bigint } {
  return {
    chainId: 1n,
    blockNumber: 1n,
    coinbase: '0x00000000000000000000000000000000000000c0',
    fees: model.genesisFees(),
    balanceOf: async (a) => o.balances?.[a.toLowerCase() as Address] ?? 10n ** 30n,
    store,
  }
}

/**
 * Two write-back block stores over two memory stores, with a context each (balances answered without an await
 * too), for cases that run one model instance against another and compare what they wrote.
 */
function twoBlockStores(o: GasModelConformanceOptions, model: GasModel) {
  const inner = [memoryGasStore(), memoryGasStore()] as const
  const stores = [blockGasStore(inner[0]), blockGasStore(inner[1])] as const
  const ctxs = stores.map((store) => ({
    ...ctxFor(o, model, store),
    peekBalance: (a: Address) => o.balances?.[a.toLowerCase() as Address] ?? 10n ** 30n,
  }))
  return { inner, stores, ctxs }
}

/** A call's result, or its error's class and message, as a string to compare. */
async function outcome(fn: () => unknown): Promise<string> {
  try {
    return show(await fn())
  } catch (e) {
    return `${(e as Error).constructor.name}: ${(e as Error).message}`
  }
}

export function gasModelConformanceCases(): ConformanceCase<GasModelConformanceOptions>[] {
  return [
    {
      name: 'fees are deterministic and non-negative',
      run: async (o) => {
        const m = o.create()
        const g = m.genesisFees()
        check(g.baseFeePerGas >= 0n, 'negative genesis base fee')
        const parents = [
          { number: 1n, gasLimit: 30_000_000n, gasUsed: 0n, baseFeePerGas: g.baseFeePerGas },
          { number: 2n, gasLimit: 30_000_000n, gasUsed: 30_000_000n, baseFeePerGas: g.baseFeePerGas },
          { number: 3n, gasLimit: 30_000_000n, gasUsed: 15_000_000n, baseFeePerGas: g.baseFeePerGas },
        ]
        for (const p of parents) {
          const a = m.nextBlockFees(p)
          const b = o.create().nextBlockFees(p)
          check(a.baseFeePerGas === b.baseFeePerGas, 'nextBlockFees differs between two instances')
          check(a.baseFeePerGas >= 0n, 'negative base fee')
          const q = m.quote(a)
          check(q.gasPrice >= 0n && q.maxPriorityFeePerGas >= 0n, 'negative quote')
        }
      },
    },
    {
      name: 'admissible transactions are admitted',
      run: async (o) => {
        const m = o.create()
        const store = memoryGasStore()
        for (const tx of o.admissibleTxs) await m.admit(tx, ctxFor(o, m, store))
      },
    },
    {
      name: 'charges balance: amount = burnt + credits, never above the up-front hold',
      run: async (o) => {
        const m = o.create()
        const store = memoryGasStore()
        for (const tx of o.admissibleTxs) {
          const ctx = ctxFor(o, m, store)
          const up = await m.upfront(tx, ctx)
          check(up.amount >= 0n, 'negative up-front amount')
          for (const used of [0n, tx.gasLimit / 2n, tx.gasLimit]) {
            const c = await m.charge(tx, used, ctx)
            const credited = c.credits.reduce((s, x) => s + x.amount, 0n)
            check(c.amount >= 0n && c.burnt >= 0n, 'negative charge')
            check(c.burnt + credited === c.amount, `charge does not balance: ${c.burnt} + ${credited} != ${c.amount}`)
            check(c.amount <= up.amount, `charge ${c.amount} above the up-front hold ${up.amount}`)
            check(c.payer === up.payer, 'charge and up-front name different payers')
            check(c.effectiveGasPrice >= 0n, 'negative effective gas price')
          }
        }
      },
    },
    {
      name: 'admitSync, where a model has it, agrees with admit',
      run: async (o) => {
        const sync = o.create()
        const plain = o.create()
        if (sync.admitSync === undefined) return
        const { stores } = twoBlockStores(o, sync)
        const ctxs = stores.map((store) => ctxFor(o, sync, store))
        // Twice over, so the second round finds the admission reads in the store's memory.
        for (const round of [1, 2]) {
          for (const tx of o.admissibleTxs) {
            const a = await outcome(async () => {
              if (!sync.admitSync!(tx, ctxs[0]!)) await sync.admit(tx, ctxs[0]!)
            })
            const b = await outcome(() => plain.admit(tx, ctxs[1]!))
            check(a === b, `admitSync differs from admit (round ${round}): ${a} vs ${b}`)
          }
        }
      },
    },
    {
      name: 'upfrontSync and chargeSync, where a model has them, agree with upfront and charge',
      run: async (o) => {
        const sync = o.create()
        const plain = o.create()
        if (sync.upfrontSync === undefined && sync.chargeSync === undefined) return
        const { inner, stores, ctxs } = twoBlockStores(o, sync)
        // Twice over, so the second round finds every read in the stores' memory.
        for (const round of [1, 2]) {
          for (const tx of o.admissibleTxs) {
            const used = tx.gasLimit / 2n
            const a = await outcome(() => sync.upfrontSync?.(tx, ctxs[0]!) ?? sync.upfront(tx, ctxs[0]!))
            const b = await outcome(() => plain.upfront(tx, ctxs[1]!))
            check(a === b, `upfrontSync differs from upfront (round ${round}): ${a} vs ${b}`)
            const c = await outcome(() => sync.chargeSync?.(tx, used, ctxs[0]!) ?? sync.charge(tx, used, ctxs[0]!))
            const d = await outcome(() => plain.charge(tx, used, ctxs[1]!))
            check(c === d, `chargeSync differs from charge (round ${round}): ${c} vs ${d}`)
          }
        }
        await stores[0].flush()
        await stores[1].flush()
        check(show([...inner[0].entries]) === show([...inner[1].entries]), 'the sync path wrote a different store')
      },
    },
    {
      name: 'prefetch, where a model has it, changes no result and no store value',
      run: async (o) => {
        const pre = o.create()
        const plain = o.create()
        if (pre.prefetch === undefined) return
        const { inner, stores, ctxs } = twoBlockStores(o, pre)
        // Twice over (the second round reads what the first wrote), each round prefetched first on one side.
        for (const round of [1, 2]) {
          await pre.prefetch(o.admissibleTxs, { blockNumber: ctxs[0]!.blockNumber, store: stores[0] })
          for (const tx of o.admissibleTxs) {
            const used = tx.gasLimit / 2n
            stores[0].checkpoint()
            stores[1].checkpoint()
            const a = await outcome(() => pre.upfrontSync?.(tx, ctxs[0]!) ?? pre.upfront(tx, ctxs[0]!))
            const b = await outcome(() => plain.upfront(tx, ctxs[1]!))
            check(a === b, `upfront differs after prefetch (round ${round}): ${a} vs ${b}`)
            const c = await outcome(() => pre.chargeSync?.(tx, used, ctxs[0]!) ?? pre.charge(tx, used, ctxs[0]!))
            const d = await outcome(() => plain.charge(tx, used, ctxs[1]!))
            check(c === d, `charge differs after prefetch (round ${round}): ${c} vs ${d}`)
            stores[0].commit()
            stores[1].commit()
          }
          await pre.observeBlock?.({ blockNumber: ctxs[0]!.blockNumber, txs: o.admissibleTxs, store: stores[0] })
          await plain.observeBlock?.({ blockNumber: ctxs[1]!.blockNumber, txs: o.admissibleTxs, store: stores[1] })
        }
        await stores[0].flush()
        await stores[1].flush()
        check(show([...inner[0].entries]) === show([...inner[1].entries]), 'prefetch changed what the block wrote')
      },
    },
    {
      name: 'priority is non-negative and deterministic',
      run: async (o) => {
        const m = o.create()
        for (const tx of o.admissibleTxs) {
          const p = m.priority(tx, m.genesisFees())
          check(p >= 0n, 'negative priority')
          check(p === o.create().priority(tx, m.genesisFees()), 'priority differs between instances')
        }
      },
    },
    {
      name: 'a transaction offering nothing against a zero-balance payer is refused with a BaseError or charged zero',
      run: async (o) => {
        const m = o.create()
        const tx = { ...o.admissibleTxs[0]!, fee: { maxFeePerGas: 0n, maxPriorityFeePerGas: 0n } }
        const store = memoryGasStore()
        const ctx = { ...ctxFor(o, m, store), balanceOf: async () => 0n }
        try {
          await m.admit(tx, ctx)
        } catch (e) {
          check(e instanceof BaseError, 'admission refused with an untyped error')
          return
        }
        const up = await m.upfront(tx, ctx)
        check(up.amount === 0n, 'admitted a zero-fee transaction that still needs funds the payer lacks')
      },
    },
  ]
}

/**
 * Registers the `GasModel` conformance suite with vitest.
 *
 * @example
 * ```ts
 * runGasModelConformance({ create: () => eip1559(), admissibleTxs })
 * ```
 */
export function runGasModelConformance(opts: GasModelConformanceOptions & { name?: string }): void {
  registerConformance(`GasModel conformance: ${opts.name ?? opts.create().name}`, gasModelConformanceCases(), opts)
}

export function checkGasModelConformance(opts: GasModelConformanceOptions) {
  return checkConformance(gasModelConformanceCases(), opts)
}

/** JSON with bigints as strings, for comparing results. */
function show(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x)) ?? 'undefined'
}
