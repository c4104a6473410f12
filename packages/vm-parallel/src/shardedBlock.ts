import type { Account, Address, BlockContext, ChargeContext, GasModel, PortableGasModel } from '@appchain/core'
import {
  BaseError,
  InsufficientFundsError,
  KECCAK_EMPTY,
  NonceTooHighError,
  NonceTooLowError,
  UnknownFeeTokenError,
} from '@appchain/core'
import type { WorkerPool } from '@appchain/core/workers'
import type { ShardedStateDb } from '@appchain/state'
import { type BatchTxResult, batchResults, callIds } from './batch.js'
import type { ExecEnv } from './executor.js'
import { packItems } from './packed.js'
import type { ParallelTx } from './parallelTx.js'
import type {
  ShardApplyTask,
  ShardExcluded,
  ShardExecResult,
  ShardExecuteTask,
  ShardExport,
  ShardPrepareTask,
} from './shardExec.js'
import { cachedNibble, nibbleOwners, shardPlan } from './shardPlan.js'
import type { WorkerTask } from './worker.js'

/** A transaction the sharded pipeline accepted, with what its receipt needs. */
export interface ShardedAccepted {
  tx: ParallelTx
  payer: Address
  result: BatchTxResult
  effectiveGasPrice: bigint
  l1Fee: bigint | undefined
}

export interface ShardedBlockResult {
  excluded: { hash: `0x${string}`; error: BaseError }[]
  /** In block order. */
  accepted: ShardedAccepted[]
  groups: number
  /**
   * Settles once every shard has queued the changes forwarded to it (peers' transactions' writes to its accounts):
   * await it before the state's next root, which must come after them in each shard's queue.
   */
  forwarded: Promise<void>
  timings: { plan: number; prepare: number; execute: number; adopt: number }
}

/**
 * The main thread's side of the sharded pipeline (the VM's workers host the state's shards): plans the block
 * (`shardPlan`), packs it once, runs round 1 (`shardPrepare`: each worker loads what it owns and exports what
 * its peers' transactions need) and round 2 (`shardExecute`: each worker runs phase 1, the programs and phase 3
 * of its transactions, writes the accounts it owns into its shard and queues its hashing there), relaying the
 * exports without decoding them; as each result arrives, forwards the accounts a worker changed in a peer's shard
 * to that peer (`shardApply`) and adopts every change into `state` (`adoptShardWrites`: the caller's overlay,
 * where checkpoints and reverts work as for any write, while the root does not send them back); then adds the fee
 * credits and rebuilds each excluded transaction's typed error. The state must hold the current values in its
 * shards (`state.root()` after the deposits); await `forwarded` before its next root.
 *
 * @example
 * ```ts
 * await state.root()
 * const { accepted, excluded, forwarded } = await executeShardedBlock({ pool, stateId, state, txs, ctx, gas, env, chargeCtx, keepsRecords })
 * await forwarded
 * ```
 */
export async function executeShardedBlock(input: {
  pool: WorkerPool<WorkerTask, unknown>
  stateId: number
  /** The VM's own sharded state (`openState`): its shards are the ones the workers host. */
  state: ShardedStateDb
  txs: readonly ParallelTx[]
  ctx: BlockContext
  gas: GasModel & { portable: PortableGasModel }
  env: ExecEnv
  /** The main thread's charge context: a transaction the workers' model refused is asked again here. */
  chargeCtx: ChargeContext
  /** Whether a program keeps records (its declared accounts' records are loaded and exported). */
  keepsRecords: (program: string) => boolean
}): Promise<ShardedBlockResult> {
  const { pool, stateId, state, txs, ctx, gas, env } = input
  const workers = pool.size
  const t0 = performance.now()
  // The coinbase (the usual fee credit's recipient) as the block starts: read after round 2, it would wait in its
  // shard's queue behind the hashing.
  const coinbase = ctx.coinbase.toLowerCase() as Address
  const [coinbaseBefore] = await state.getAccounts([coinbase])
  const { worker, groups } = shardPlan(
    txs.map((t) => ({ sender: t.sender, reads: t.accessSet.reads, writes: t.accessSet.writes })),
    workers,
  )
  const n = txs.length
  const mine = splitPlan(stateId, txs, worker, workers, input.keepsRecords)
  const t1 = performance.now()

  // Round 1: every worker loads what it owns; the exports go to their peers as they are.
  const exports = (await Promise.all(
    mine.map((task, w) => pool.runOn(w, task, [task.mine.raw.bytes.buffer, task.mine.raw.ends.buffer])),
  )) as (ShardExport | undefined)[][]
  const t2 = performance.now()

  // Round 2: every worker runs its transactions on its own accounts plus its peers' exports. Each worker wrote
  // the accounts it owns into its shard; as each result arrives (the other workers may still be executing), the
  // accounts a peer's transactions changed go to their owners (queued on the owner's shard before the state's
  // next root: answered once queued), and every change goes into the caller's overlay as adopted (the shards hold
  // them: the root does not send them back).
  const changed: Address[] = []
  const values: Account[] = []
  const credits = new Map<Address, bigint>()
  const forwards: Promise<unknown>[] = []
  let adopting: Promise<void> = Promise.resolve()
  const adopt = async (w: number, r: ShardExecResult): Promise<void> => {
    const forward = Array.from(
      { length: workers },
      (): ShardApplyTask => ({
        op: 'shardApply',
        state: stateId,
        address: [],
        nonce: [],
        balance: [],
        codeHash: [],
        storage: [],
      }),
    )
    const codeHashes = new Map(r.codeHash)
    const first = changed.length
    for (let j = 0; j < r.address.length; j++) {
      const codeHash = codeHashes.get(j) ?? KECCAK_EMPTY
      changed.push(r.address[j]!)
      values.push({ nonce: r.nonce[j]!, balance: r.balance[j]!, codeHash })
      const owner = r.owner[j]!
      if (owner === w) continue
      const f = forward[owner]!
      if (codeHash !== KECCAK_EMPTY) f.codeHash.push([f.address.length, codeHash])
      f.address.push(r.address[j]!)
      f.nonce.push(r.nonce[j]!)
      f.balance.push(r.balance[j]!)
    }
    for (let i = 0; i < r.storage.length; i++) {
      const owner = r.storageOwner[i]!
      if (owner !== w) forward[owner]!.storage.push(r.storage[i]!)
    }
    for (let o = 0; o < workers; o++) {
      if (forward[o]!.address.length + forward[o]!.storage.length === 0) continue
      const sent = pool.runOn(o, forward[o]!)
      // Awaited (with the others) before the root; a failure meanwhile is not unhandled.
      sent.catch(() => {})
      forwards.push(sent)
    }
    for (const [a, amount] of r.credits) credits.set(a, (credits.get(a) ?? 0n) + amount)
    await state.adoptShardWrites(changed.slice(first), values.slice(first), r.storage)
  }
  const results = (await Promise.all(
    Array.from({ length: workers }, (_, w) => {
      const imports: ShardExport[] = []
      for (let p = 0; p < workers; p++) {
        const ex = exports[p]![w]
        if (ex !== undefined) imports.push(ex)
      }
      const task: ShardExecuteTask = {
        op: 'shardExecute',
        state: stateId,
        self: w,
        imports,
        env,
        coinbase: ctx.coinbase,
        fees: ctx.fees,
        gas: gas.portable,
      }
      return (pool.runOn(w, task) as Promise<ShardExecResult>).then((r) => {
        adopting = adopting.then(() => adopt(w, r))
        // Awaited below; if a worker fails first, a failure here is not unhandled.
        adopting.catch(() => {})
        return r
      })
    }),
  )) as ShardExecResult[]
  const t3 = performance.now()
  await adopting
  // Answered once queued, but a worker hashing its own shard answers after: awaited before the state's root.
  const forwarded = Promise.all(forwards).then(() => undefined)
  forwarded.catch(() => {})
  // Fee credits after every program (as the reference credits them): they only add.
  if (credits.size > 0) {
    const to = [...credits.keys()]
    // A recipient the block changed: its adopted value; the coinbase otherwise: as the block started; any other
    // recipient: read (after its shard's hashing).
    const inBlock = new Map<Address, Account>()
    for (let j = 0; j < changed.length; j++) if (credits.has(changed[j]!)) inBlock.set(changed[j]!, values[j]!)
    const other = to.filter((a) => !inBlock.has(a) && a !== coinbase)
    const read = other.length > 0 ? await state.getAccounts(other) : []
    const before = to.map((a) => inBlock.get(a) ?? (a === coinbase ? coinbaseBefore : read[other.indexOf(a)]))
    const after = to.map((a, j) => {
      const acc = before[j] ?? { nonce: 0n, balance: 0n, codeHash: KECCAK_EMPTY }
      return { ...acc, balance: acc.balance + credits.get(a)! }
    })
    await state.putAccounts(to, after)
  }

  // Outcomes in block order; excluded transactions get the reference's typed errors.
  const excludedAt: (ShardExcluded | undefined)[] = new Array(n)
  const acceptedAt: (ShardedAccepted | undefined)[] = new Array(n)
  for (let w = 0; w < workers; w++) {
    const r = results[w]!
    const idx = mine[w]!.mine.index
    const index: number[] = []
    for (let k = 0, e = 0; k < idx.length; k++) {
      if (r.stage[k] === 0) index.push(idx[k]!)
      else excludedAt[idx[k]!] = r.excluded[e++]!
    }
    const programs = batchResults({ index: Int32Array.from(index) }, r.programs)
    const payers = new Map(r.payers)
    if (r.overcharged.length > 0) {
      const hash = txs[index[r.overcharged[0]!]!]!.hash
      throw new BaseError(`Gas model ${gas.name} charged more than it held up front.`, { data: { hash } })
    }
    for (let j = 0; j < index.length; j++) {
      const tx = txs[index[j]!]!
      acceptedAt[index[j]!] = {
        tx,
        payer: payers.get(j) ?? tx.sender,
        result: programs[j]!,
        effectiveGasPrice: r.effectiveGasPrice[j]!,
        l1Fee: r.l1Fee[j],
      }
    }
  }
  const excluded: ShardedBlockResult['excluded'] = []
  const accepted: ShardedAccepted[] = []
  for (let i = 0; i < n; i++) {
    const ex = excludedAt[i]
    if (ex !== undefined)
      excluded.push({ hash: txs[i]!.hash, error: await excludedError(txs[i]!, ex, gas, input.chargeCtx) })
    else accepted.push(acceptedAt[i]!)
  }
  const t4 = performance.now()
  return {
    excluded,
    accepted,
    groups,
    forwarded,
    timings: { plan: t1 - t0, prepare: t2 - t1, execute: t3 - t2, adopt: t4 - t3 },
  }
}

/** The transactions (position in `idx`) that bid in a fee token. */
function feeTokensOf(idx: ArrayLike<number>, txs: readonly ParallelTx[]): [number, Address][] {
  const out: [number, Address][] = []
  for (let k = 0; k < idx.length; k++) {
    const token = txs[idx[k]!]!.fee.feeToken
    if (token !== undefined) out.push([k, token])
  }
  return out
}

/** The typed error phase 1 of the reference throws for this transaction, from what the worker reported. */
async function excludedError(
  tx: ParallelTx,
  ex: ShardExcluded,
  gas: GasModel,
  chargeCtx: ChargeContext,
): Promise<BaseError> {
  switch (ex.stage) {
    case 1:
      return new NonceTooLowError({ address: tx.sender, nonce: tx.nonce, expected: ex.value! })
    case 2:
      return new NonceTooHighError({ address: tx.sender, nonce: tx.nonce, expected: ex.value! })
    case 4:
      return new UnknownFeeTokenError({ token: ex.token!, accepted: ['native'] })
    case 5:
      return new InsufficientFundsError({ address: ex.payer!, balance: ex.value!, cost: ex.amount! })
    case 3:
      // The same stateless model on this thread refuses the same transaction with the same error object.
      try {
        gas.upfrontSync?.(tx, chargeCtx) ?? (await gas.upfront(tx, chargeCtx))
      } catch (e) {
        if (e instanceof BaseError) return e
        throw e
      }
      throw new BaseError(`Gas model ${gas.name} refused a transaction in a worker (${ex.name}: ${ex.message}) only.`, {
        data: { hash: tx.hash },
      })
  }
}

/**
 * Splits the block for the workers once: per worker, its own transactions as columns, and every occurrence of an
 * account it owns in the block's transactions with the worker needing it (the owner dedups them in round 1).
 * An account's owner is the worker hosting its nibble; a declared account's record is needed when its
 * transaction's program keeps records (the sender's never is, as in the reference).
 */
function splitPlan(
  stateId: number,
  txs: readonly ParallelTx[],
  worker: Uint8Array,
  workers: number,
  keepsRecords: (program: string) => boolean,
): ShardPrepareTask[] {
  const owners = nibbleOwners(workers)
  const own = Array.from({ length: workers }, () => ({
    /** Occurrences of the accounts this worker owns: the account, the worker needing it, its record (1 + program). */
    need: [] as Address[],
    needBy: [] as number[],
    needRecord: [] as number[],
    idx: [] as number[],
    sender: [] as Address[],
    accounts: [] as Address[],
    accessStart: [] as number[],
    readCount: [] as number[],
    call: [] as number[],
  }))
  const recordPrograms: string[] = []
  const programIds = new Map<string, number>()
  const calls: string[] = []
  const callOf = callIds(calls)
  // One nibble look-up per occurrence; the owner dedups its own share (in parallel with its peers).
  const need = (a: Address, w: number, record: number) => {
    const o = own[owners[cachedNibble(a)]!]!
    o.need.push(a)
    o.needBy.push(w)
    o.needRecord.push(record)
  }
  for (let i = 0; i < txs.length; i++) {
    const tx = txs[i]!
    const w = worker[i]!
    const m = own[w]!
    let record = 0
    if (keepsRecords(tx.program)) {
      let p = programIds.get(tx.program)
      if (p === undefined) {
        p = recordPrograms.length
        programIds.set(tx.program, p)
        recordPrograms.push(tx.program)
      }
      record = p + 1
    }
    m.idx.push(i)
    m.sender.push(tx.sender)
    m.accessStart.push(m.accounts.length)
    m.readCount.push(tx.accessSet.reads.length)
    need(tx.sender, w, 0)
    for (const a of tx.accessSet.reads) {
      m.accounts.push(a)
      need(a, w, record)
    }
    for (const a of tx.accessSet.writes) {
      m.accounts.push(a)
      need(a, w, record)
    }
    m.call.push(callOf(tx.program, tx.method))
  }
  return own.map((o, w): ShardPrepareTask => {
    const idx = o.idx
    o.accessStart.push(o.accounts.length)
    return {
      op: 'shardPrepare',
      state: stateId,
      self: w,
      workers,
      need: o.need,
      needBy: Uint8Array.from(o.needBy),
      needRecord: Uint16Array.from(o.needRecord),
      recordPrograms,
      mine: {
        index: Int32Array.from(idx),
        sender: o.sender,
        accounts: o.accounts,
        accessStart: Uint32Array.from(o.accessStart),
        readCount: Uint16Array.from(o.readCount),
        calls,
        call: Uint16Array.from(o.call),
        hash: idx.map((i) => txs[i]!.hash),
        nonce: idx.map((i) => txs[i]!.nonce),
        gasLimit: idx.map((i) => txs[i]!.gasLimit),
        maxFeePerGas: idx.map((i) => txs[i]!.fee.maxFeePerGas),
        maxPriorityFeePerGas: idx.map((i) => txs[i]!.fee.maxPriorityFeePerGas),
        feeToken: feeTokensOf(idx, txs),
        intrinsicGas: idx.map((i) => txs[i]!.intrinsicGas),
        argsJson: idx.map((i) => txs[i]!.argsJson),
        raw: packItems(idx.map((i) => txs[i]!.raw)),
      },
    }
  })
}
