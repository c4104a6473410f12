import type {
  BlockContext,
  Deposit,
  GasModel,
  OrderingPolicy,
  PendingView,
  StateDb,
  TxEnvelope,
  Vm,
} from '@appchain/core'
import { type OpenBlock, openBlock, type Placement } from './openBlock.js'
import { sealBlock } from './sealBlock.js'
import type { SealedBlock } from './types.js'

export interface FillResult {
  placed: Placement[]
  refused: Placement[]
  /** False when the fill stopped at `maxBatches` with candidates possibly left. */
  complete?: boolean | undefined
}

/**
 * Pulls transactions from `pending` in the policy's order into an open block until nothing more fits, in batches
 * of at most `batchSize`. A sender whose transaction did not fit or was refused is skipped for the rest of the
 * pass, so its later nonces never go in ahead of it.
 *
 * @example
 * ```ts
 * const { placed } = await fillBlock(open, { pending: pool, ordering: priorityFee(), gas })
 * ```
 */
export async function fillBlock(
  open: OpenBlock,
  input: {
    pending: PendingView
    ordering: OrderingPolicy
    gas: GasModel
    batchSize?: number | undefined
    /** Stop after this many batches (the sequencer places one batch per turn so ticks can cut in). */
    maxBatches?: number | undefined
    /** Called after each executed batch, before the next is pulled (the sequencer updates its pool here). */
    onBatch?: ((batch: Placement[]) => void) | undefined
  },
): Promise<FillResult> {
  const batchSize = input.batchSize ?? 256
  const placed: Placement[] = []
  const refused: Placement[] = []
  const done = new Set<string>()
  const refusedSenders = new Set<string>()
  let batches = 0
  while (true) {
    const skip = new Set<string>(refusedSenders)
    const batch: TxEnvelope[] = []
    let gas = 0n
    let bytes = 0
    for (const tx of input.ordering.order(input.pending, { block: open.ctx, gas: input.gas })) {
      if (done.has(tx.hash) || skip.has(tx.sender)) continue
      if (!open.fits(tx, gas, bytes)) {
        skip.add(tx.sender)
        continue
      }
      batch.push(tx)
      gas += tx.gasLimit
      bytes += tx.size
      if (batch.length >= batchSize) break
    }
    if (batch.length === 0) return { placed, refused, complete: true }
    const results = await open.add(batch)
    for (const p of results) {
      done.add(p.tx.hash)
      if ('receipt' in p) placed.push(p)
      else {
        refused.push(p)
        refusedSenders.add(p.tx.sender)
      }
    }
    input.onBatch?.(results)
    // A short batch means the policy had nothing more that fits.
    if (batch.length < batchSize) return { placed, refused, complete: true }
    if (++batches >= (input.maxBatches ?? Number.POSITIVE_INFINITY)) return { placed, refused, complete: false }
  }
}

/**
 * Builds and seals one block in one go: opens it on `state` (deposits first), fills it from `pending` in the
 * policy's order within the gas and byte limits, and returns the sealed block with its state ops (not yet written).
 *
 * @example
 * ```ts
 * const sealed = await buildBlock({ vm, gas, state, ctx, pending: pool, ordering: fifo(), maxBlockBytes: 1 << 20 })
 * await chain.seal(sealed)
 * ```
 */
export async function buildBlock(input: {
  vm: Vm
  gas: GasModel
  state: StateDb
  ctx: BlockContext
  pending: PendingView
  ordering: OrderingPolicy
  deposits?: Deposit[] | undefined
  maxBlockBytes?: number | undefined
  fallback?: boolean | undefined
}): Promise<SealedBlock & FillResult> {
  const open = await openBlock({ ...input, maxBlockBytes: input.maxBlockBytes ?? 2 * 1024 * 1024 })
  let fill: FillResult
  try {
    fill = await fillBlock(open, input)
  } catch (e) {
    open.discard()
    throw e
  }
  return { ...(await sealBlock(open, input.state)), ...fill }
}
