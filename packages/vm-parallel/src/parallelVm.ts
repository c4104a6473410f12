import { availableParallelism } from 'node:os'
import { MessageChannel } from 'node:worker_threads'
import type {
  Address,
  BlockContext,
  BlockExecution,
  ChargeContext,
  Db,
  Deposit,
  GasModel,
  GasStore,
  GenesisAlloc,
  Hex,
  PortableGasModel,
  Receipt,
  StateDb,
  StateReader,
  TxEnvelope,
  UpfrontCharge,
  Vm,
} from '@appchain/core'
import {
  BaseError,
  bytesToHex,
  createBloom,
  EMPTY_TRIE_ROOT,
  GasLimitExceedsBlockLimitError,
  hexToBytes,
  InsufficientFundsError,
  KECCAK_EMPTY,
  NonceTooHighError,
  NonceTooLowError,
  orBloom,
  UnknownFeeTokenError,
} from '@appchain/core'
import { type WorkerPool, workerPool } from '@appchain/core/workers'
import {
  createShardedStateDb,
  keccakReady,
  orderedTrieRoot,
  type ShardedStateDb,
  shardNibbles,
  keccakReady as stateKeccakReady,
} from '@appchain/state'
import { type BatchResult, type BatchTask, type BatchTxResult, batchResults, encodeBatch } from './batch.js'
import { type AccountSlot, BlockState } from './blockState.js'
import { receiptBloom } from './bloom.js'
import { depositEnvelope } from './deposit.js'
import { type ExecEnv, type ExecTx, type ExecutionMode, executeTx, type TxOutcome } from './executor.js'
import { type PackedItems, packItems, unpackItems } from './packed.js'
import { type DecodeItem, type DecodeOptions, decodeItems, type ParallelTx, rebuildDecodeError } from './parallelTx.js'
import { type Program, type ProgramSpec, programSpec } from './program.js'
import { encodeReceipts } from './receipts.js'
import { createRegistry } from './registry.js'
import { createRpc } from './rpc.js'
import { createSandbox } from './sandbox.js'
import { batchPlan, lockGroups } from './scheduler.js'
import { executeShardedBlock } from './shardedBlock.js'
import type { WorkerTask } from './worker.js'

const EMPTY_BLOOM = bytesToHex(new Uint8Array(256))

export interface ParallelVmConfig {
  /** The chain's programs (`nativeToken()`, `game()`, your own `defineProgram(...)`). */
  programs: Program[]
  /**
   * Worker threads for decoding and execution. 0 runs everything on the calling thread (the sequential
   * reference every parallel run must equal). Default: available parallelism.
   */
  workers?: number | undefined
  /** `locks` (default): declared accounts enforced, Sealevel lock groups. `optimistic`: Block-STM. */
  mode?: ExecutionMode | undefined
  /** Largest accepted raw transaction in bytes (default 16 KiB). */
  maxTxSize?: number | undefined
  /** Blocks (and decode batches) smaller than this stay on the calling thread: a round trip costs more. Default 32. */
  minParallel?: number | undefined
  /**
   * Locking mode: the most transactions in one worker message. A thread's share of a block goes out in several
   * batches of whole lock groups, each sent as soon as its accounts are loaded. Default: an eighth of a
   * thread's share, at least 512.
   */
  maxBatch?: number | undefined
  /**
   * While workers run the programs, write the fee holds and nonces to the state and compute an intermediate
   * root there, so the final root only adds the programs' changes (same root either way). Default false: with
   * batched workers the program phase is too short to hide it, and every sender's leaf is then hashed twice.
   */
  overlapRoot?: boolean | undefined
  /**
   * The VM's workers host the state's account shards (`openState`) and, on that state, execute each block's
   * transactions next to their accounts: the main thread only plans, relays and adopts the results. Used for
   * blocks of at least `minParallel` transactions in `locks` mode with a portable gas model (`GasModel.portable`)
   * whose transactions' intrinsic gas all fits the block; every other block runs the main-thread pipeline on
   * the same state. Needs 1..16 workers. Default false.
   */
  shardedState?: boolean | undefined
}

/** Per-block numbers the benchmarks and tests read (not part of consensus). */
export interface ParallelStats {
  mode: ExecutionMode
  /**
   * Milliseconds per phase: fee holds and nonces, loading declared state, program execution, fees and receipts,
   * writing the block's changes to the `StateDb` (`flush`), and everything after execution including the roots (`commit`).
   * On the sharded pipeline (`shardedState`): `load` is the plan, `hold` the prepare round, `execute` the execute
   * round (phases 1–3 in the workers), `settle` the receipts, plus `shardRoot` and `adopt`.
   */
  timings: {
    hold: number
    load: number
    execute: number
    settle: number
    flush: number
    /** `state.root()` alone (main thread). */
    root: number
    /** Phase 1's changes flushed and an intermediate `state.root()`, overlapping the workers (main thread). */
    preRoot: number
    commit: number
    /** Sharded pipeline: the deposits' root before the rounds, and adopting the workers' changes. */
    shardRoot?: number | undefined
    adopt?: number | undefined
  }
  threads: number
  groups: number
  largestGroup: number
  reexecutions: number
  txs: number
}

export interface ParallelVm extends Vm<ParallelTx> {
  readonly kind: 'parallel'
  readonly programs: readonly Program[]
  readonly mode: ExecutionMode
  readonly workers: number
  /** Statistics of the last executed block. */
  lastStats(): ParallelStats | undefined
  /**
   * With `shardedState: true`: the world state with its accounts in shards hosted by this VM's workers
   * (`createShardedStateDb` over one MessagePort per worker), at `root` (default: empty). Blocks executed on it
   * run in the shards. Close it (`close()`) before the VM.
   *
   * @example
   * ```ts
   * const vm = parallelVm({ programs, workers: 2, shardedState: true })
   * const state = await vm.openState!(db, { root: head.stateRoot })
   * ```
   */
  openState?(db: Db, opts: { root?: Hex | undefined }): Promise<ShardedStateDb>
  close(): Promise<void>
}

/**
 * A Sealevel/Block-STM-style VM: native TypeScript programs in a deterministic sandbox, transactions
 * signed as EIP-712 typed data that declare the accounts they read and write, executed on worker threads
 * with results identical to sequential execution.
 *
 * @example
 * ```ts
 * import { game, nativeToken, parallelVm } from '@appchain/vm-parallel'
 * const vm = parallelVm({ programs: [nativeToken({ authority }), game()], workers: 2 })
 * const node = await createNode({ chainId: 4242, vm, gas: flatFee({ perTx: 0n }), ... })
 * ```
 */
export function parallelVm(config: ParallelVmConfig): ParallelVm {
  if (!config || !Array.isArray(config.programs)) throw new TypeError('parallelVm: programs must be an array')
  const workers = config.workers ?? availableParallelism()
  if (!Number.isInteger(workers) || workers < 0 || workers > 64)
    throw new RangeError(`parallelVm: workers must be 0..64, got ${workers}`)
  const mode = config.mode ?? 'locks'
  if (mode !== 'locks' && mode !== 'optimistic') throw new TypeError(`parallelVm: unknown mode ${String(mode)}`)
  const minParallel = config.minParallel ?? 32
  if (config.maxBatch !== undefined && (!Number.isInteger(config.maxBatch) || config.maxBatch < 1))
    throw new RangeError(`parallelVm: maxBatch must be a positive integer, got ${config.maxBatch}`)
  if (config.shardedState !== undefined && typeof config.shardedState !== 'boolean')
    throw new TypeError(`parallelVm: shardedState must be a boolean, got ${String(config.shardedState)}`)
  const shardedState = config.shardedState === true
  if (shardedState && (workers < 1 || workers > 16))
    throw new RangeError(`parallelVm: shardedState needs 1..16 workers, got ${workers}`)
  const specs = config.programs.map(programSpec)
  const registry = createRegistry(specs)
  const sandbox = createSandbox(specs)
  let pool: WorkerPool<WorkerTask, unknown> | undefined
  let stats: ParallelStats | undefined

  const poolKey = `${workers}:${JSON.stringify(specs, (_, v) => (typeof v === 'bigint' ? v.toString() : v))}`
  const getPool = () => {
    pool ??= acquirePool(poolKey, workers, specs)
    return pool
  }

  const decodeTxs = async (raws: Uint8Array[], opts: { chainId: bigint }): Promise<(ParallelTx | BaseError)[]> => {
    if (!Array.isArray(raws)) throw new TypeError('decodeTxs: raws must be an array')
    await keccakReady()
    const o: DecodeOptions = { chainId: opts.chainId, maxSize: config.maxTxSize }
    let items: DecodeItem[]
    if (workers === 0 || raws.length < minParallel) items = decodeItems(raws, registry, o)
    else {
      const p = getPool()
      const per = Math.ceil(raws.length / p.size)
      const chunks: Promise<DecodeItem[]>[] = []
      for (let w = 0; w * per < raws.length; w++) {
        chunks.push(
          p.runOn(w, { op: 'decode', raws: raws.slice(w * per, (w + 1) * per), opts: o }) as Promise<DecodeItem[]>,
        )
      }
      items = (await Promise.all(chunks)).flat()
    }
    // A decoded item is this call's own object (built here or cloned from a worker): it takes its raw bytes in place.
    return items.map((item, i) => {
      if (!item.ok) return rebuildDecodeError(raws[i]!, registry, o, item)
      const tx = item.tx as ParallelTx
      tx.raw = raws[i]!
      return tx
    })
  }

  const validateTx = async (tx: ParallelTx, state: StateReader, ctx: BlockContext): Promise<void> => {
    const acc = await state.getAccount(tx.sender)
    const expected = acc?.nonce ?? 0n
    if (tx.nonce < expected) throw new NonceTooLowError({ address: tx.sender, nonce: tx.nonce, expected })
    if (tx.nonce > expected) throw new NonceTooHighError({ address: tx.sender, nonce: tx.nonce, expected })
    if (tx.gasLimit > ctx.gasLimit)
      throw new GasLimitExceedsBlockLimitError({ gasLimit: tx.gasLimit, blockGasLimit: ctx.gasLimit })
    registry.schemaOf(tx.program, tx.method)
  }

  const execTxOf = (tx: ParallelTx, index: number): ExecTx => ({
    index,
    program: tx.program,
    method: tx.method,
    argsJson: tx.argsJson,
    sender: tx.sender,
    reads: tx.accessSet.reads,
    writes: tx.accessSet.writes,
  })

  /** Sequential reference and optimistic re-execution: on this thread, loading missing state on demand. */
  const executeHere = async (bs: BlockState, tx: ExecTx, env: ExecEnv): Promise<TxOutcome> => {
    for (;;) {
      const out = executeTx(sandbox, registry.infos, tx, bs, env, mode)
      if (!out.miss) return out
      if (out.miss.program) await bs.loadRecord(out.miss.program, out.miss.account)
      else await bs.loadAccount(out.miss.account)
    }
  }

  const applyOutcome = (
    bs: BlockState,
    out: { balances: Iterable<[Address, bigint]>; records: Iterable<[string, Iterable<[string, bigint]>]> },
  ) => {
    for (const [a, v] of out.balances) bs.setBalance(a, v)
    for (const [k, m] of out.records) bs.setRecord(k, new Map(m))
  }

  /** Runs phase 2 (program execution) and returns one result per transaction, in block order. */
  const executePrograms = async (
    bs: BlockState,
    txs: ParallelTx[],
    env: ExecEnv,
    whileWorkersRun?: () => Promise<void>,
  ): Promise<{ results: BatchTxResult[]; s: ParallelStats }> => {
    // Every declared account (and its record for the called program) is loaded before the transaction runs.
    const loadDeclared = async (tx: ParallelTx) => {
      const data = registry.infos.get(tx.program)?.data
      for (const a of tx.accessSet.reads) {
        if (!bs.loaded(a)) await bs.loadAccount(a)
        if (data) await bs.loadRecord(tx.program, a)
      }
      for (const a of tx.accessSet.writes) {
        if (!bs.loaded(a)) await bs.loadAccount(a)
        if (data) await bs.loadRecord(tx.program, a)
      }
    }
    const s: ParallelStats = {
      mode,
      timings: {
        hold: 0,
        load: 0,
        execute: 0,
        settle: 0,
        flush: 0,
        root: 0,
        preRoot: 0,
        commit: 0,
      },
      threads: 0,
      groups: 0,
      largestGroup: 0,
      reexecutions: 0,
      txs: txs.length,
    }
    if (workers === 0 || txs.length < minParallel) {
      const t0 = performance.now()
      for (const tx of txs) await loadDeclared(tx)
      s.timings.load = performance.now() - t0
      const t1 = performance.now()
      const results: BatchTxResult[] = []
      for (let i = 0; i < txs.length; i++) {
        const tx = execTxOf(txs[i]!, i)
        const out = await executeHere(bs, tx, env)
        if (out.status === 'success') applyOutcome(bs, out)
        results.push({ index: tx.index, status: out.status, error: out.error, logs: out.logs })
      }
      s.timings.execute = performance.now() - t1
      return { results, s }
    }
    const t1 = performance.now()
    // The transactions' own access sets: execution's view of a transaction (`execTxOf`) is made only where it is
    // used (a batch being packed, a re-execution), so no 20k of them live through the program phase.
    const groups = lockGroups(txs.map((t) => t.accessSet))
    s.groups = groups.length
    // A loop, not Math.max(...): a block of independent transactions has as many groups as transactions.
    for (const g of groups) if (g.length > s.largestGroup) s.largestGroup = g.length
    const p = getPool()
    // Locking mode: several batches of whole groups per thread, each packed and sent as soon as its accounts
    // are loaded, so this thread loads the next batch while the workers run the earlier ones. Optimistic
    // mode keeps one batch per thread (its speculative reads see the thread's earlier writes).
    const maxBatch =
      mode !== 'locks'
        ? txs.length
        : (config.maxBatch ?? Math.max(PIPELINE_MIN_BATCH, Math.ceil(txs.length / (p.size * PIPELINE_DEPTH))))
    const plan = batchPlan(groups, p.size, maxBatch)
    s.threads = new Set(plan.map((b) => b.thread)).size
    const packOpts = {
      mode,
      env,
      balance: (a: Address) => bs.balance(a)!,
      keepsRecords: (program: string) => registry.infos.get(program)?.data === true,
      record: (program: string, a: Address) =>
        registry.infos.get(program)?.data ? (bs.record(program, a) ?? new Map<string, bigint>()) : undefined,
    }
    const tasks: BatchTask[] = []
    // The slots of each task's balance slice, position for position: the workers name written balances by position.
    const taskSlots: AccountSlot[][] = []
    const sent: Promise<BatchResult>[] = []
    let loading = 0
    let batchNo = 0
    for (const b of plan) {
      const tl = performance.now()
      // The batch's declared accounts in one batched state read; records (if any) load one by one below.
      // Indexed loops: this async function's loops run mostly unoptimised, where for...of allocates per step.
      const indices = b.indices
      const declared: Address[] = []
      const batchTxs: ExecTx[] = new Array(indices.length)
      for (let k = 0; k < indices.length; k++) {
        const i = indices[k]!
        const t = execTxOf(txs[i]!, i)
        batchTxs[k] = t
        for (let j = 0; j < t.reads.length; j++) declared.push(t.reads[j]!)
        for (let j = 0; j < t.writes.length; j++) declared.push(t.writes[j]!)
      }
      // Every declared account is loaded after this; only the programs' records may still be missing.
      const slots = await bs.loadAccounts(declared)
      let lastProgram = ''
      let keeps = false
      for (let k = 0; k < indices.length; k++) {
        const tx = txs[indices[k]!]!
        if (tx.program !== lastProgram) {
          lastProgram = tx.program
          keeps = packOpts.keepsRecords(tx.program)
        }
        if (keeps) await loadDeclared(tx)
      }
      loading += performance.now() - tl
      // The batch's slice: each declared account where it is first named (as encodeBatch would gather it), found
      // through the slots just loaded and the batch's mark on them instead of a set and a lookup per account.
      const mark = ++batchNo
      const slice = { accounts: [] as Address[], values: [] as bigint[] }
      const sliceSlots: AccountSlot[] = []
      for (let k = 0; k < slots.length; k++) {
        const slot = slots[k]!
        if (slot.mark === mark) continue
        slot.mark = mark
        slice.accounts.push(slot.address)
        slice.values.push(slot.account.balance)
        sliceSlots.push(slot)
      }
      const task = encodeBatch(batchTxs, { ...packOpts, slice })
      tasks.push(task)
      taskSlots.push(sliceSlots)
      const result = p.runOn(b.thread, { op: 'execute', ...task }) as Promise<BatchResult>
      // Awaited below; a load failing before that must not leave these as unhandled rejections.
      result.catch(() => undefined)
      sent.push(result)
    }
    s.timings.load = loading
    const dispatched = Promise.all(sent)
    // This thread's share of the commitment overlaps the workers; nothing touches `bs` until it is done.
    if (whileWorkersRun) await whileWorkersRun()
    const batches = await dispatched
    const results: BatchTxResult[] = new Array(txs.length)
    for (let b = 0; b < batches.length; b++) {
      const rs = batchResults(tasks[b]!, batches[b]!)
      for (let k = 0; k < rs.length; k++) results[rs[k]!.index] = rs[k]!
    }
    if (mode === 'locks') {
      // Groups share no written account: every batch's final values go straight in, from its columns, through
      // the slots of the positions the worker names.
      for (let t = 0; t < batches.length; t++) {
        const b = batches[t]!
        const values = b.balanceValues
        const at = b.writtenAt
        if (at !== undefined) {
          const sliceSlots = taskSlots[t]!
          for (let k = 0; k < at.length; k++) bs.setSlotBalance(sliceSlots[at[k]!]!, values[k]!)
        } else for (let k = 0; k < values.length; k++) bs.setBalance(b.balanceAccounts[k]!, values[k]!)
        for (const [key, m] of b.records) bs.setRecord(key, new Map(m))
      }
      s.timings.execute = performance.now() - t1 - loading
      return { results, s }
    }
    // Block-STM validation in block order: a transaction stands if every location it read still holds the
    // version it saw; otherwise it runs again here, on the committed state.
    const lastWriter = new Map<string, number>()
    const redone = new Set<number>()
    for (let i = 0; i < results.length; i++) {
      const r = results[i]!
      let valid = !r.miss
      if (valid) {
        for (const [loc, seen] of r.reads ?? []) {
          const w = lastWriter.get(loc) ?? -1
          if (w !== seen || (seen >= 0 && redone.has(seen))) {
            valid = false
            break
          }
        }
      }
      let balances: Iterable<[Address, bigint]> = r.balances ?? []
      let records: Iterable<[string, Iterable<[string, bigint]>]> = r.records ?? []
      let status = r.status
      if (!valid) {
        const out = await executeHere(bs, execTxOf(txs[i]!, i), env)
        s.reexecutions++
        redone.add(i)
        results[i] = { index: i, status: out.status, error: out.error, logs: out.logs, reexecutions: 1 }
        balances = out.balances
        records = out.records
        status = out.status
      }
      if (status === 'success') {
        for (const [a, v] of balances) {
          bs.setBalance(a, v)
          lastWriter.set(`b${a}`, i)
        }
        for (const [k, m] of records) {
          bs.setRecord(k, new Map(m))
          lastWriter.set(`r${k}`, i)
        }
      }
    }
    s.timings.execute = performance.now() - t1 - loading
    return { results, s }
  }

  const executeBlock = async (input: {
    ctx: BlockContext
    deposits: Deposit[]
    txs: ParallelTx[]
    state: StateDb
    gas: GasModel
  }): Promise<BlockExecution> => {
    const { ctx, deposits, txs, state, gas } = input
    await Promise.all([keccakReady(), stateKeccakReady()])
    const bs = new BlockState(state)
    const store = bs.gasStore()
    const chargeCtx: ChargeContext = {
      blockNumber: ctx.number,
      coinbase: ctx.coinbase,
      fees: ctx.fees,
      balanceOf: async (a) => (await bs.loadAccount(a.toLowerCase() as Address)).balance,
      // The block's account cache is always current: a model's funds check needs no await for loaded accounts.
      peekBalance: (a) => bs.balance(a.toLowerCase() as Address),
      store,
    }

    // Deposits first (OP-Stack style, type 0x7e): mint to the depositor, then move `value` to the target when
    // the depositor holds it. They cost no gas on L2 and take the first receipts and the first slots of the
    // transactions root, as on the EVM.
    const depositReceipts: Receipt[] = []
    const depositEnvelopes: TxEnvelope[] = []
    for (const d of deposits) {
      const from = d.from.toLowerCase() as Address
      const to = d.to.toLowerCase() as Address
      const f = await bs.loadAccount(from)
      bs.setBalance(from, f.balance + d.mint)
      let status: Receipt['status'] = 'success'
      if (d.value > 0n) {
        const t = await bs.loadAccount(to)
        const have = bs.account(from).balance
        if (have >= d.value && from !== to) {
          bs.setBalance(from, have - d.value)
          bs.setBalance(to, t.balance + d.value)
        } else if (have < d.value) status = 'reverted'
      }
      const env = depositEnvelope(d)
      depositEnvelopes.push(env)
      depositReceipts.push({
        transactionHash: env.hash,
        transactionIndex: depositReceipts.length,
        type: 0x7e,
        from,
        to: d.isCreation ? null : to,
        status,
        gasUsed: 0n,
        cumulativeGasUsed: 0n,
        effectiveGasPrice: 0n,
        logs: [],
        logsBloom: EMPTY_BLOOM,
        contractAddress: null,
      })
    }

    // The two ordered tries do not depend on the state: big blocks hash them on workers, after the programs ran
    // (a root hashed earlier would hold up that worker's first batch), while this thread computes the state root.
    const offload = workers > 0 && deposits.length + txs.length >= minParallel
    const trieRoot = (items: PackedItems, w: number): Promise<Hex> =>
      offload ? trieRootOn(getPool(), w, items) : Promise.resolve(orderedTrieRoot(unpackItems(items)))
    const lastWorker = Math.max(0, workers - 1)
    // What the commit step needs of this block, whichever pipeline ran it.
    const block = { bs, store, state, gas, ctx, depositEnvelopes, trieRoot, lastWorker }

    // The sharded pipeline: this VM's workers host the state's shards and run the whole block next to them.
    const stateId = shardedStates.get(state)
    const portable = gas.portable
    if (
      stateId !== undefined &&
      mode === 'locks' &&
      portable !== undefined &&
      txs.length >= minParallel &&
      intrinsicGasOf(txs) <= ctx.gasLimit
    ) {
      const t0 = performance.now()
      // The deposits into the state, and a root: every shard then holds the state the block starts from.
      await bs.flush()
      await state.root()
      const shardRoot = performance.now() - t0
      const env: ExecEnv = { blockNumber: ctx.number, timestamp: ctx.timestamp }
      const sharded = await executeShardedBlock({
        pool: getPool(),
        stateId,
        // The state openState made (shardedStates has it).
        state: state as ShardedStateDb,
        txs,
        ctx,
        gas: gas as GasModel & { portable: PortableGasModel },
        env,
        chargeCtx,
        keepsRecords: (program) => registry.infos.get(program)?.data === true,
      })
      const t = sharded.timings
      const s: ParallelStats = {
        mode,
        timings: {
          hold: t.prepare,
          load: t.plan,
          execute: t.execute,
          settle: 0,
          flush: 0,
          root: 0,
          preRoot: 0,
          commit: 0,
          shardRoot,
          adopt: t.adopt,
        },
        threads: workers,
        groups: sharded.groups,
        largestGroup: 0,
        reexecutions: 0,
        txs: txs.length,
      }
      stats = s
      const tSettle = performance.now()
      const out = receiptsOf(depositReceipts)
      for (const a of sharded.accepted) out.add(a.tx, a.result, a.payer, a.effectiveGasPrice, a.l1Fee)
      // The peers' writes queued on their shards before the root.
      await sharded.forwarded
      s.timings.settle = performance.now() - tSettle
      return commit({ ...block, s, txs: sharded.accepted.map((a) => a.tx), receipts: out, excluded: sharded.excluded })
    }

    const tHold = performance.now()
    // Phase 1, in block order: nonces and fee holds. Excluded transactions are never charged.
    const excluded: { hash: `0x${string}`; error: BaseError }[] = []
    // Each accepted transaction, its fee hold and its payer's slot (phase 3 refunds it without a lookup), in
    // parallel arrays: no object per transaction living through the program phase.
    const accepted: ParallelTx[] = []
    const ups: UpfrontCharge[] = []
    const payerSlots: AccountSlot[] = []
    let blockGas = 0n
    // Every sender in one batched state read (no await per account below), and the gas model's keys for the
    // block in one more (its `prefetch`), so its sync variants answer every transaction from memory.
    const senderSlots = await bs.loadAccounts(txs.map((t) => t.sender))
    if (gas.prefetch !== undefined && txs.length > 0) await gas.prefetch(txs, { blockNumber: ctx.number, store })
    for (let i = 0; i < txs.length; i++) {
      const tx = txs[i]!
      let held = false
      try {
        // The sender's slot, loaded above, for its nonce and (usually) its fee hold: no lookup.
        const slot = senderSlots[i]!
        // The block's own account object: an earlier transaction of this sender already advanced its nonce.
        const expected = slot.account.nonce
        if (tx.nonce < expected) throw new NonceTooLowError({ address: tx.sender, nonce: tx.nonce, expected })
        if (tx.nonce > expected) throw new NonceTooHighError({ address: tx.sender, nonce: tx.nonce, expected })
        if (blockGas + tx.intrinsicGas > ctx.gasLimit) {
          throw new GasLimitExceedsBlockLimitError({
            gasLimit: blockGas + tx.intrinsicGas,
            blockGasLimit: ctx.gasLimit,
          })
        }
        // The model's sync variant first: no promise per transaction when it answers from memory.
        const up = gas.upfrontSync?.(tx, chargeCtx) ?? (await gas.upfront(tx, chargeCtx))
        held = true
        if (up.token !== undefined) throw new UnknownFeeTokenError({ token: up.token, accepted: ['native'] })
        // The sender pays (the usual case): its string as it is, its slot already at hand.
        const payer = up.payer === tx.sender ? tx.sender : (up.payer.toLowerCase() as Address)
        const payerSlot = payer === tx.sender ? slot : (bs.slotOf(payer) ?? (await bs.loadSlot(payer)))
        const p = payerSlot.account
        if (p.balance < up.amount)
          throw new InsufficientFundsError({ address: payer, balance: p.balance, cost: up.amount })
        bs.setSlotBalance(payerSlot, p.balance - up.amount)
        bs.setSlotNonce(slot, expected + 1n)
        blockGas += tx.intrinsicGas
        // The model's own object when its payer is already lower-case (the usual case): no copy per transaction.
        accepted.push(tx)
        ups.push(up.payer === payer ? up : { ...up, payer })
        payerSlots.push(payerSlot)
      } catch (e) {
        if (!(e instanceof BaseError)) throw e
        // Excluded after upfront: the model drops what it holds for the transaction (a quota reservation).
        if (held) gas.release?.(tx, chargeCtx)
        excluded.push({ hash: tx.hash, error: e })
      }
    }

    const hold = performance.now() - tHold
    // Phase 2: programs, in parallel where the declared accounts allow.
    const env: ExecEnv = { blockNumber: ctx.number, timestamp: ctx.timestamp }
    // While the workers run the programs, this thread writes phase 1's changes (nonces, fee holds) to the
    // state and computes an intermediate root: the trie paths of every sender are loaded and hashed then,
    // and the final root only adds what the programs changed. Same final root, any worker count.
    let preRoot = 0
    const { results, s } = await executePrograms(
      bs,
      accepted,
      env,
      config.overlapRoot !== true
        ? undefined
        : async () => {
            const t = performance.now()
            await bs.flush()
            await state.root()
            preRoot = performance.now() - t
          },
    )
    s.timings.preRoot = preRoot
    stats = s
    s.timings.hold = hold
    const tSettle = performance.now()

    // Phase 3, in block order: final fees, refunds, receipts.
    const out = receiptsOf(depositReceipts)
    // A block's credits mostly go to one account (the coinbase): its slot is looked up once per change of target.
    let lastTo = ''
    let toSlot: AccountSlot | undefined
    for (let i = 0; i < accepted.length; i++) {
      const tx = accepted[i]!
      const up = ups[i]!
      const payerSlot = payerSlots[i]!
      const r = results[i]!
      const gasUsed = tx.intrinsicGas
      const charge = gas.chargeSync?.(tx, gasUsed, chargeCtx) ?? (await gas.charge(tx, gasUsed, chargeCtx))
      const payer = up.payer
      const refund = up.amount - charge.amount
      if (refund < 0n)
        throw new BaseError(`Gas model ${gas.name} charged more than it held up front.`, { data: { hash: tx.hash } })
      if (refund > 0n) bs.setSlotBalance(payerSlot, payerSlot.account.balance + refund)
      const credits = charge.credits
      for (let k = 0; k < credits.length; k++) {
        const c = credits[k]!
        if (c.amount === 0n) continue
        if (c.to !== lastTo || toSlot === undefined) {
          const to = c.to.toLowerCase() as Address
          toSlot = bs.slotOf(to) ?? (await bs.loadSlot(to))
          lastTo = c.to
        }
        bs.setSlotBalance(toSlot, toSlot.account.balance + c.amount)
      }
      out.add(tx, r, payer, charge.effectiveGasPrice, charge.l1Fee)
    }
    s.timings.settle = performance.now() - tSettle
    return commit({ ...block, s, txs: accepted, receipts: out, excluded })
  }

  /** Receipts in block order after the deposits', with the block's bloom and each receipt's bloom bytes. */
  const receiptsOf = (depositReceipts: Receipt[]) => {
    const receipts: Receipt[] = [...depositReceipts]
    const bloom = createBloom()
    const blooms: Uint8Array[] = depositReceipts.map(() => createBloom())
    const ored = new Set<Uint8Array>()
    // Consecutive receipts mostly share their bloom object and their program: one comparison instead of a lookup.
    let lastOred: Uint8Array | undefined
    let lastProgram = ''
    let lastTo: Address | null = null
    let cumulative = 0n
    return {
      receipts,
      bloom,
      blooms,
      gasUsed: () => cumulative,
      add(tx: ParallelTx, r: BatchTxResult, payer: Address, effectiveGasPrice: bigint, l1Fee: bigint | undefined) {
        const gasUsed = tx.intrinsicGas
        cumulative += gasUsed
        const lb = receiptBloom(r.logs)
        // receiptBloom hands out one object per distinct log shape: each needs OR-ing in only once.
        if (lb.bytes !== lastOred) {
          lastOred = lb.bytes
          if (!ored.has(lb.bytes)) {
            ored.add(lb.bytes)
            orBloom(bloom, lb.bytes)
          }
        }
        if (tx.program !== lastProgram) {
          lastProgram = tx.program
          lastTo = registry.infos.get(tx.program)!.address
        }
        blooms.push(lb.bytes)
        const receipt: Receipt = {
          transactionHash: tx.hash,
          transactionIndex: receipts.length,
          type: 0x70,
          from: tx.sender,
          to: lastTo,
          status: r.status,
          gasUsed,
          cumulativeGasUsed: cumulative,
          effectiveGasPrice,
          logs: r.logs,
          logsBloom: lb.hex,
          contractAddress: null,
        }
        if (payer !== tx.sender) receipt.feePayer = payer
        if (l1Fee !== undefined) receipt.l1Fee = l1Fee
        if (r.error) receipt.output = bytesToHex(new TextEncoder().encode(`${r.error.name}: ${r.error.message}`))
        if (mode === 'optimistic') receipt.reexecutions = r.reexecutions ?? 0
        receipts.push(receipt)
      },
    }
  }

  /** After the phases: the model's block observation, the block's writes, the receipts and the three roots. */
  const commit = async (b: {
    bs: BlockState
    /** The block's gas store, the one the model's charges used: `observeBlock` writes what they kept in memory. */
    store: GasStore
    state: StateDb
    gas: GasModel
    ctx: BlockContext
    s: ParallelStats
    txs: ParallelTx[]
    depositEnvelopes: TxEnvelope[]
    receipts: ReturnType<typeof receiptsOf>
    excluded: { hash: `0x${string}`; error: BaseError }[]
    trieRoot: (items: PackedItems, w: number) => Promise<Hex>
    lastWorker: number
  }): Promise<BlockExecution> => {
    const { bs, state, s } = b
    const tCommit = performance.now()
    await b.gas.observeBlock?.({ blockNumber: b.ctx.number, txs: b.txs, store: b.store })
    await bs.flush()
    s.timings.flush = performance.now() - tCommit
    const included: TxEnvelope[] = [...b.depositEnvelopes, ...b.txs]
    // One buffer for the block's receipts (no allocation per receipt), transferred to the worker as it is.
    const encodedReceipts = encodeReceipts(b.receipts.receipts, b.receipts.blooms)
    // Both ordered roots are hashed on workers (the last and the first) while this thread computes the state root.
    const [transactionsRoot, receiptsRoot, stateRoot] = await Promise.all([
      b.trieRoot(packItems(included.map((t) => t.raw)), b.lastWorker),
      b.trieRoot(encodedReceipts, 0),
      (async () => {
        const t = performance.now()
        const root = await state.root()
        s.timings.root = performance.now() - t
        return root
      })(),
    ])
    const execution: BlockExecution = {
      receipts: b.receipts.receipts,
      excluded: b.excluded,
      included,
      gasUsed: b.receipts.gasUsed(),
      withdrawals: [],
      withdrawalsRoot: EMPTY_TRIE_ROOT,
      transactionsRoot,
      receiptsRoot,
      logsBloom: bytesToHex(b.receipts.bloom),
      stateRoot,
    }
    s.timings.commit = performance.now() - tCommit
    return execution
  }

  const genesis = async (alloc: GenesisAlloc, state: StateDb): Promise<void> => {
    const entries = Object.entries(alloc)
    const addrs = entries.map(([address]) => address.toLowerCase() as Address)
    // One batched read of the existing accounts (a sharded state answers each single read with a round trip to a
    // worker); an address written earlier in this loop (the same one in another case) is read again.
    const existing = state.getAccounts ? await state.getAccounts(addrs) : undefined
    const written = new Set<Address>()
    for (const [i, [, a]] of entries.entries()) {
      const addr = addrs[i]!
      const before = existing && !written.has(addr) ? existing[i] : await state.getAccount(addr)
      written.add(addr)
      await state.putAccount(addr, {
        nonce: a.nonce ?? 0n,
        balance: a.balance ?? 0n,
        codeHash: before?.codeHash ?? KECCAK_EMPTY,
      })
      if (a.code && a.code !== '0x') await state.putCode(addr, hexToBytes(a.code))
      for (const [slot, value] of Object.entries(a.storage ?? {}))
        await state.putStorage(addr, slot as `0x${string}`, value)
    }
  }

  // The states whose shards this VM's workers host (openState), with the id the workers know them by.
  const shardedStates = new WeakMap<StateDb, number>()
  const openState = async (db: Db, opts: { root?: Hex | undefined } = {}): Promise<ShardedStateDb> => {
    const p = getPool()
    const id = nextStateId++
    const ports = await Promise.all(
      Array.from({ length: p.size }, async (_, w) => {
        const { port1, port2 } = new MessageChannel()
        await p.runOn(w, { op: 'hostShard', state: id, port: port2, nibbles: shardNibbles(w, p.size) }, [port2])
        return port1
      }),
    )
    const state = await createShardedStateDb({ db, ports, root: opts.root })
    shardedStates.set(state, id)
    return state
  }

  return {
    kind: 'parallel',
    programs: config.programs,
    mode,
    workers,
    ...(shardedState ? { openState } : {}),
    decodeTxs,
    validateTx,
    executeBlock,
    genesis,
    rpc: createRpc(registry),
    lastStats: () => stats,
    async close() {
      if (pool) await releasePool(poolKey)
      pool = undefined
    },
  }
}

// Locking-mode batches per thread (when each still holds PIPELINE_MIN_BATCH transactions): enough to keep
// the workers busy while this thread loads the accounts of the next batches, few enough that messages stay cheap.
const PIPELINE_DEPTH = 8
const PIPELINE_MIN_BATCH = 512

/** `orderedTrieRoot` of packed items on worker `w`: one transferred buffer instead of thousands of cloned arrays. */
function trieRootOn(pool: WorkerPool<WorkerTask, unknown>, w: number, { bytes, ends }: PackedItems): Promise<Hex> {
  return pool.runOn(w, { op: 'trieRoot', bytes, ends }, [bytes.buffer, ends.buffer]) as Promise<Hex>
}

/** The sum of the transactions' intrinsic gas (the sharded pipeline runs only when it fits the block). */
function intrinsicGasOf(txs: readonly ParallelTx[]): bigint {
  let sum = 0n
  for (const tx of txs) sum += tx.intrinsicGas
  return sum
}

// Ids of the states whose shards VM workers host (pools are shared between VMs: ids are unique per process).
let nextStateId = 0

// VMs with the same programs and thread count share one pool (a node and its follower in one process,
// tests): workers compile the programs once at start-up, which is the slow part.
const pools = new Map<string, { pool: WorkerPool<WorkerTask, unknown>; refs: number }>()

function acquirePool(key: string, size: number, specs: ProgramSpec[]): WorkerPool<WorkerTask, unknown> {
  let entry = pools.get(key)
  if (!entry) {
    const ts = import.meta.url.endsWith('.ts')
    const pool = workerPool<WorkerTask, unknown>({
      url: new URL(ts ? './worker.ts' : './worker.js', import.meta.url),
      size,
      workerData: { specs },
    })
    entry = { pool, refs: 0 }
    pools.set(key, entry)
  }
  entry.refs++
  return entry.pool
}

async function releasePool(key: string): Promise<void> {
  const entry = pools.get(key)
  if (!entry) return
  if (--entry.refs > 0) return
  pools.delete(key)
  await entry.pool.close()
}
