import {
  BaseError,
  type BlockBuilder,
  type BlockContext,
  type BlockExecution,
  type Deposit,
  type GasModel,
  type Receipt,
  type StateDb,
  type TxEnvelope,
  type Vm,
} from '@appchain/core'

/** What placing one transaction did: its receipt (it is in the block) or why it was kept out. */
export type Placement = { tx: TxEnvelope; receipt: Receipt } | { tx: TxEnvelope; error: BaseError }

/**
 * A block being built on the live state: transactions join in batches and are final in it once placed.
 * Limits are the sequencer's (gas by each transaction's limit, encoded bytes); the VM decides validity.
 */
export interface OpenBlock {
  readonly ctx: BlockContext
  readonly deposits: Deposit[]
  /** Placed transactions, in block order (deposits not included). */
  readonly txs: readonly TxEnvelope[]
  readonly gasUsed: bigint
  readonly bytes: number
  /** Whether a transaction would fit by the block's gas and byte limits now. */
  fits(tx: Pick<TxEnvelope, 'gasLimit' | 'size'>, reservedGas?: bigint, reservedBytes?: number): boolean
  /** Executes `txs` in order after what is placed; each is placed or refused (and leaves no trace). */
  add(txs: TxEnvelope[]): Promise<Placement[]>
  /** Executes nothing more: the block's roots, with the state holding the post state (checkpoint committed). */
  finish(): Promise<BlockExecution>
  /** Throws the block away: the state goes back to the parent's. */
  discard(): void
}

export interface OpenBlockInput {
  vm: Vm
  gas: GasModel
  state: StateDb
  ctx: BlockContext
  deposits?: Deposit[] | undefined
  maxBlockBytes: number
  /** Force the `executeBlock` fallback even when the VM offers `openBlock` (tests, benches). */
  fallback?: boolean | undefined
}

/**
 * Opens a block on `state` inside a checkpoint: with the VM's incremental `openBlock` when it has one (one
 * transaction's work per placement), otherwise by executing each batch with `executeBlock` and re-executing the
 * placed list once in `finish` (twice the work, same result).
 *
 * @example
 * ```ts
 * const open = await openBlock({ vm, gas, state, ctx, maxBlockBytes: 1 << 20 })
 * const [p] = await open.add([tx]) // { tx, receipt } once it executed
 * const execution = await open.finish()
 * ```
 */
export async function openBlock(input: OpenBlockInput): Promise<OpenBlock> {
  const { vm, gas, state, ctx, maxBlockBytes } = input
  const deposits = input.deposits ?? []
  state.checkpoint()
  let builder: BlockBuilder
  try {
    builder =
      vm.openBlock && !input.fallback
        ? await vm.openBlock({ ctx, deposits, state, gas })
        : await executeBlockBuilder(vm, { ctx, deposits, state, gas })
  } catch (e) {
    state.revert()
    throw e
  }
  const txs: TxEnvelope[] = []
  let bytes = 0
  let closed = false
  const assertOpen = () => {
    if (closed) throw new Error('openBlock: the block is already finished or discarded')
  }

  return {
    ctx,
    deposits,
    txs,
    get gasUsed() {
      return builder.gasUsed
    },
    get bytes() {
      return bytes
    },
    fits(tx, reservedGas = 0n, reservedBytes = 0) {
      return (
        builder.gasUsed + reservedGas + tx.gasLimit <= ctx.gasLimit && bytes + reservedBytes + tx.size <= maxBlockBytes
      )
    },
    async add(batch) {
      assertOpen()
      if (batch.length === 0) return []
      const results = await builder.add(batch)
      return batch.map((tx, i) => {
        const r = results[i]
        if (r === undefined)
          return { tx, error: new BaseError(`The VM returned no result for transaction ${tx.hash}.`) }
        if (r instanceof BaseError) return { tx, error: r }
        txs.push(tx)
        bytes += tx.size
        return { tx, receipt: r }
      })
    },
    async finish() {
      assertOpen()
      closed = true
      try {
        const execution = await builder.finish()
        state.commit()
        return execution
      } catch (e) {
        state.revert()
        throw e
      }
    },
    discard() {
      assertOpen()
      closed = true
      builder.abort?.()
      state.revert()
    },
  }
}

/**
 * A `BlockBuilder` for any VM, on its `executeBlock` alone: each `add` runs as its own block on a speculative state
 * (inside a checkpoint); `finish` reverts and executes the deposits and every placed transaction as the one real
 * block. Twice the execution of a native `openBlock`, the same result. The sequencer uses it when the VM has no
 * `openBlock`; a VM can also offer it as its `openBlock` to start with.
 *
 * @example
 * ```ts
 * const builder = await executeBlockBuilder(vm, { ctx, deposits: [], state, gas })
 * const [receipt] = await builder.add([tx])
 * const execution = await builder.finish()
 * ```
 */
export async function executeBlockBuilder(
  vm: Vm,
  input: { ctx: BlockContext; deposits: Deposit[]; state: StateDb; gas: GasModel },
): Promise<BlockBuilder> {
  const { ctx, deposits, state, gas } = input
  state.checkpoint()
  const placed: TxEnvelope[] = []
  let gasUsed = 0n
  let index = 0
  try {
    const first = await vm.executeBlock({ ctx, deposits, txs: [], state, gas })
    gasUsed = first.gasUsed
    index = first.receipts.length
  } catch (e) {
    state.revert()
    throw e
  }
  return {
    get gasUsed() {
      return gasUsed
    },
    async add(txs) {
      const out = await vm.executeBlock({ ctx, deposits: [], txs, state, gas })
      const receipts = new Map<string, Receipt>()
      out.included.forEach((tx, i) => receipts.set(tx.hash, out.receipts[i]!))
      const errors = new Map(out.excluded.map((x) => [x.hash, x.error]))
      return txs.map((tx) => {
        const r = receipts.get(tx.hash)
        if (!r) return errors.get(tx.hash) ?? new BaseError(`Transaction ${tx.hash} was neither included nor excluded.`)
        placed.push(tx)
        const receipt: Receipt = {
          ...r,
          transactionIndex: index++,
          cumulativeGasUsed: gasUsed + r.gasUsed,
        }
        gasUsed += r.gasUsed
        return receipt
      })
    },
    async finish() {
      state.revert()
      return vm.executeBlock({ ctx, deposits, txs: placed, state, gas })
    },
    abort() {
      state.revert()
    },
  }
}
