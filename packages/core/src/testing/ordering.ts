import type { GasModel } from '../interfaces/gasModel.js'
import type { OrderingPolicy, PendingView } from '../interfaces/ordering.js'
import type { Address, BlockContext, TxEnvelope } from '../types.js'
import { type ConformanceCase, check, checkConformance, registerConformance } from './conformance.js'

export interface OrderingConformanceOptions {
  create(): OrderingPolicy
  gas: GasModel
}

/** A `PendingView` over a Map of nonce-ordered queues, for tests. */
export function pendingViewOf(queues: Map<Address, TxEnvelope[]>): PendingView {
  return { senders: () => queues.keys(), queue: (s) => queues.get(s) ?? [] }
}

function fakeTx(sender: number, nonce: number, tip: bigint): TxEnvelope {
  const s = `0x${sender.toString(16).padStart(40, '0')}` as Address
  return {
    hash: `0x${sender.toString(16).padStart(32, '0')}${nonce.toString(16).padStart(32, '0')}`,
    raw: new Uint8Array([sender, nonce]),
    sender: s,
    nonce: BigInt(nonce),
    gasLimit: 21_000n,
    fee: { maxFeePerGas: 10n ** 12n, maxPriorityFeePerGas: tip },
    size: 2,
  }
}

function sampleQueues(): Map<Address, TxEnvelope[]> {
  const queues = new Map<Address, TxEnvelope[]>()
  // Tips rise with the nonce for some senders, so sorting by tip alone would break nonce order.
  for (let s = 1; s <= 6; s++) {
    const q = Array.from({ length: s }, (_, n) => fakeTx(s, n, BigInt(((s * 7 + n * 13) % 11) * 1_000_000_000)))
    queues.set(q[0]!.sender, q)
  }
  return queues
}

function ctxFor(o: OrderingConformanceOptions): { block: BlockContext; gas: GasModel } {
  return {
    gas: o.gas,
    block: {
      chainId: 1n,
      number: 1n,
      timestamp: 1n,
      coinbase: '0x0000000000000000000000000000000000000000',
      gasLimit: 30_000_000n,
      fees: o.gas.genesisFees(),
      prevRandao: '0x0000000000000000000000000000000000000000000000000000000000000000',
      parentHash: '0x0000000000000000000000000000000000000000000000000000000000000000',
    },
  }
}

export function orderingConformanceCases(): ConformanceCase<OrderingConformanceOptions>[] {
  return [
    {
      name: 'yields every pending transaction exactly once',
      run: async (o) => {
        const queues = sampleQueues()
        const out = [...o.create().order(pendingViewOf(queues), ctxFor(o))]
        const all = [...queues.values()].flat()
        check(out.length === all.length, `yielded ${out.length} of ${all.length}`)
        check(new Set(out.map((t) => t.hash)).size === out.length, 'a transaction was yielded twice')
        const known = new Set(all.map((t) => t.hash))
        check(
          out.every((t) => known.has(t.hash)),
          'yielded a transaction that is not pending',
        )
      },
    },
    {
      name: 'keeps each sender’s nonce order',
      run: async (o) => {
        const out = [...o.create().order(pendingViewOf(sampleQueues()), ctxFor(o))]
        const last = new Map<string, bigint>()
        for (const tx of out) {
          const prev = last.get(tx.sender)
          check(prev === undefined || tx.nonce === prev + 1n, `sender ${tx.sender} nonce ${tx.nonce} after ${prev}`)
          last.set(tx.sender, tx.nonce)
        }
      },
    },
    {
      name: 'handles an empty pool and can stop early',
      run: async (o) => {
        const empty = [...o.create().order(pendingViewOf(new Map()), ctxFor(o))]
        check(empty.length === 0, 'yielded from an empty pool')
        const it = o.create().order(pendingViewOf(sampleQueues()), ctxFor(o))[Symbol.iterator]()
        check(!it.next().done, 'yielded nothing from a full pool')
      },
    },
  ]
}

/**
 * Registers the `OrderingPolicy` conformance suite with vitest.
 *
 * @example
 * ```ts
 * runOrderingConformance({ create: () => priorityFee(), gas: eip1559() })
 * ```
 */
export function runOrderingConformance(opts: OrderingConformanceOptions & { name?: string }): void {
  registerConformance(
    `OrderingPolicy conformance: ${opts.name ?? opts.create().name}`,
    orderingConformanceCases(),
    opts,
  )
}

export function checkOrderingConformance(opts: OrderingConformanceOptions) {
  return checkConformance(orderingConformanceCases(), opts)
}
