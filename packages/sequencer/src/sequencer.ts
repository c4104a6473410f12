import {
  type Address,
  AlreadyKnownError,
  BaseError,
  type BlockContext,
  blockGasStore,
  type GasModel,
  type GasStore,
  type Hex,
  NonceTooHighError,
  type OrderingPolicy,
  type StateDb,
  stateGasStore,
  type TxEnvelope,
  type Vm,
  ZERO_ADDRESS,
} from '@appchain/core'
import { nextBlockContext } from './blockContext.js'
import { fillBlock } from './buildBlock.js'
import { PreconfirmationBrokenError, TxExceedsBlockLimitError } from './errors.js'
import { fifo } from './fifo.js'
import { createMempool, type Mempool, type MempoolConfig } from './mempool.js'
import { createMutex } from './mutex.js'
import { type OpenBlock, openBlock, type Placement } from './openBlock.js'
import { type Preconfirmation, type PreconfSigner, preconfSigner } from './preconfirmation.js'
import { sealBlock } from './sealBlock.js'
import { createTicker } from './ticker.js'
import type { SealedBlock, SequencerChain, SequencerLogger } from './types.js'

export interface SequencerConfig {
  vm: Vm
  gas: GasModel
  chain: SequencerChain
  chainId: bigint
  /** Default `fifo()`. */
  ordering?: OrderingPolicy | undefined
  /** Interval between blocks, scheduled from the intended start times so it never drifts (default 250). */
  blockTimeMs?: number | undefined
  /** The blocks' gas limit (default 30,000,000). */
  maxBlockGas?: bigint | undefined
  /** Encoded bytes of transactions per block (default 2 MiB). */
  maxBlockBytes?: number | undefined
  /** Seal blocks without transactions or deposits at every tick (default false: skip the tick). */
  emptyBlocks?: boolean | undefined
  /** Sign a preconfirmation for every transaction placed in the open block. */
  preconf?: { privateKey: Hex } | undefined
  mempool?: MempoolConfig | undefined
  logger?: SequencerLogger | undefined
  /** Fee recipient of the blocks (default: the preconfirmation signer's address, else the zero address). */
  coinbase?: Address | undefined
  /** Most transactions executed per placement batch: smaller keeps preconfirmation latency down (default 64). */
  batchSize?: number | undefined
  /** Use the `executeBlock` fallback even when the VM offers `openBlock` (benches compare the two). */
  fallback?: boolean | undefined
}

/** What the node reads of the pool; `get`/`has`/`pendingNonce` also see the open block's transactions. */
export interface SequencerMempool
  extends Pick<Mempool, 'count' | 'bytes' | 'pending' | 'queued' | 'senders' | 'queue' | 'allSenders'> {
  get(hash: Hex): TxEnvelope | undefined
  has(hash: Hex): boolean
  pendingNonce(sender: Address): bigint | undefined
  /** Transactions placed (and preconfirmed) in the block being built, in order. */
  inBlock(): readonly TxEnvelope[]
}

/** Timings of one sealed block. */
export interface BlockInfo {
  /** Finishing the block (roots), flushing the state and `chain.seal`, in ms. */
  sealMs: number
}

export interface Sequencer {
  readonly mempool: SequencerMempool
  /** The preconfirmation signer's address, when preconfirmations are on. */
  readonly address: Address | undefined
  readonly running: boolean
  /**
   * Decodes (senders recovered in parallel by the VM), validates against the latest state and the gas model, and
   * admits to the pool. Results in input order: the transaction, or the typed error that refused it.
   */
  submit(raws: Uint8Array[]): Promise<(TxEnvelope | BaseError)[]>
  /** Opens a block and seals one every `blockTimeMs`; transactions are placed (and preconfirmed) as they arrive. */
  start(): void
  /** Stops the timer and seals the open block if it holds anything (preconfirmations are kept). */
  stop(): Promise<void>
  /** Seals now: the open block, or a block built from the pool when none is open. Undefined when empty (unless allowed). */
  buildNow(opts?: { allowEmpty?: boolean | undefined }): Promise<SealedBlock | undefined>
  /** Runs `fn` while no block work runs: for anything that checkpoints or writes `chain.state()` (eth_call). */
  runExclusive<T>(fn: () => Promise<T> | T): Promise<T>
  onPreconfirmation(cb: (p: Preconfirmation, tx: TxEnvelope) => void): () => void
  onBlock(cb: (b: SealedBlock, info: BlockInfo) => void): () => void
  onPendingTx(cb: (tx: TxEnvelope) => void): () => void
}

function listeners<A extends unknown[]>(logger: SequencerLogger | undefined, what: string) {
  const set = new Set<(...args: A) => void>()
  return {
    add(cb: (...args: A) => void) {
      if (typeof cb !== 'function') throw new TypeError(`${what} callback must be a function`)
      set.add(cb)
      return () => {
        set.delete(cb)
      }
    },
    emit(...args: A) {
      for (const cb of set) {
        try {
          cb(...args)
        } catch (err) {
          logger?.error?.({ err }, `${what} subscriber threw`)
        }
      }
    },
    get size() {
      return set.size
    },
  }
}

/**
 * The sequencer: a mempool, an ordering policy, a block on a drift-free timer and preconfirmations. While running,
 * a block is always open on the live state; arriving transactions execute into it at once (so a preconfirmation
 * is a real promise of block and index) and the block is sealed through `chain.seal` at each tick.
 *
 * @example
 * ```ts
 * const sequencer = createSequencer({ vm: evmVm(), gas: eip1559(), chain, chainId: 4242n, ordering: priorityFee(),
 *   blockTimeMs: 100, preconf: { privateKey } })
 * sequencer.onPreconfirmation((p) => console.log(p.txHash, p.blockNumber, p.index))
 * sequencer.start()
 * const [tx] = await sequencer.submit([raw])
 * await sequencer.stop()
 * ```
 */
export function createSequencer(config: SequencerConfig): Sequencer {
  const { vm, gas, chain, chainId, logger } = config
  if (typeof chainId !== 'bigint' || chainId <= 0n)
    throw new TypeError('createSequencer: chainId must be a positive bigint')
  const blockTimeMs = config.blockTimeMs ?? 250
  if (!Number.isFinite(blockTimeMs) || blockTimeMs < 1) throw new RangeError(`blockTimeMs must be >= 1: ${blockTimeMs}`)
  const maxBlockGas = config.maxBlockGas ?? 30_000_000n
  if (maxBlockGas <= 0n) throw new RangeError(`maxBlockGas must be positive: ${maxBlockGas}`)
  const maxBlockBytes = config.maxBlockBytes ?? 2 * 1024 * 1024
  if (!Number.isInteger(maxBlockBytes) || maxBlockBytes < 1)
    throw new RangeError(`maxBlockBytes must be positive: ${maxBlockBytes}`)
  const ordering = config.ordering ?? fifo()
  const emptyBlocks = config.emptyBlocks ?? false
  const signer: PreconfSigner | undefined = config.preconf
    ? preconfSigner(config.preconf.privateKey, { chainId })
    : undefined
  const coinbase = config.coinbase ?? signer?.address ?? ZERO_ADDRESS

  let open: OpenBlock | undefined
  /** Fees of the block transactions are admitted for: eviction compares priorities at these. */
  let currentFees = gas.genesisFees()
  const pool = createMempool({
    ...config.mempool,
    price: config.mempool?.price ?? ((tx) => gas.priority(tx, currentFees)),
  })
  let openByHash = new Map<Hex, TxEnvelope>()
  let openNonces = new Map<Address, bigint>()
  /** The transactions and next nonces of the sealed block still being written (still "pending" to readers). */
  let tipByHash = new Map<Hex, TxEnvelope>()
  let tipNonces = new Map<Address, bigint>()
  /** Source hashes of the deposits in the block being written (`chain.deposits()` still lists them). */
  let tipDeposits = new Set<Hex>()
  const lock = createMutex()
  const preconfs = listeners<[Preconfirmation, TxEnvelope]>(logger, 'onPreconfirmation')
  const blocks = listeners<[SealedBlock, BlockInfo]>(logger, 'onBlock')
  const pendingTxs = listeners<[TxEnvelope]>(logger, 'onPendingTx')

  let running = false
  let rotationQueued = false
  const ticker = createTicker({
    intervalMs: blockTimeMs,
    onTick: () => {
      // One rotation waiting is enough: if sealing ever takes longer than the interval, ticks coalesce.
      if (rotationQueued) return
      rotationQueued = true
      const go = () =>
        background(
          'block production',
          lock.runFirst(() => {
            rotationQueued = false
            // stop() may have come first (it seals what is open itself).
            return running ? rotate(false, false) : undefined
          }),
        )
      // While the previous block is still being written, the open block keeps taking transactions; it is sealed
      // once the write lands (sealing now would hold the lock, and with it every admission, until then).
      if (writing) writing.then(go, go)
      else go()
    },
  })
  let placeQueued = false

  // Concurrent submits (one JSON-RPC request each) are decoded together, so the VM recovers their senders as
  // one parallel batch instead of one worker round trip per transaction.
  let decodeQueue: {
    raws: Uint8Array[]
    resolve: (r: (TxEnvelope | BaseError)[]) => void
    reject: (e: unknown) => void
  }[] = []
  const decodeFlush = () => {
    const q = decodeQueue
    decodeQueue = []
    const all = q.length === 1 ? q[0]!.raws : q.flatMap((x) => x.raws)
    vm.decodeTxs(all, { chainId }).then(
      (out) => {
        let o = 0
        for (const x of q) {
          x.resolve(out.slice(o, o + x.raws.length))
          o += x.raws.length
        }
      },
      (err) => {
        for (const x of q) x.reject(err)
      },
    )
  }
  const decode = (raws: Uint8Array[]) =>
    new Promise<(TxEnvelope | BaseError)[]>((resolve, reject) => {
      decodeQueue.push({ raws, resolve, reject })
      if (decodeQueue.length === 1) setImmediate(decodeFlush)
    })

  const background = (what: string, p: Promise<unknown>) => {
    p.catch((err) => logger?.error?.({ err }, `sequencer: ${what} failed`))
  }

  /**
   * The last sealed block while its batch is still being written (`chain.head()` moves once it is written), and
   * that write. The next block builds on the tip at once; the write must land before the next flush (the state
   * keeps the flushed data readable until then) and before the next block is written.
   */
  let tip: { header: SealedBlock['block']['header']; hash: Hex } | undefined
  let writing: Promise<void> | undefined
  const chainBlockHash = chain.blockHash?.bind(chain)
  const blockHash = (n: bigint) => (tip && n === tip.header.number ? tip.hash : chainBlockHash?.(n))

  const nextCtx = (): BlockContext => {
    const head = tip ?? chain.head()
    return nextBlockContext({
      parent: head.header,
      parentHash: head.hash,
      chainId,
      gas,
      gasLimit: maxBlockGas,
      coinbase,
      nowMs: Date.now(),
      getBlockHash: chainBlockHash ? blockHash : undefined,
    })
  }

  /** Waits for the previous block's write (rethrowing its failure). */
  const written = async () => {
    if (writing) await writing
  }

  const openNext = async () => {
    const ctx = nextCtx()
    currentFees = ctx.fees
    // The chain lists a block's deposits until its write lands: leave out those of the block being written.
    const inTip = tipDeposits
    const deposits = ((await chain.deposits?.()) ?? []).filter((d) => !inTip.has(d.sourceHash))
    open = await openBlock({ vm, gas, state: chain.state(), ctx, deposits, maxBlockBytes, fallback: config.fallback })
  }

  const onBatch = (batch: Placement[]) => {
    const block = open!
    const failed = new Set<Address>()
    for (const p of batch) {
      if ('receipt' in p) {
        pool.markPlaced(p.tx)
        openByHash.set(p.tx.hash, p.tx)
        openNonces.set(p.tx.sender, p.tx.nonce + 1n)
        if (signer && preconfs.size > 0) {
          preconfs.emit(
            signer.sign({ txHash: p.tx.hash, blockNumber: block.ctx.number, index: p.receipt.transactionIndex }),
            p.tx,
          )
        }
      } else {
        // A later nonce of a sender refused in the same batch failed because of it: it stays, queued behind the gap.
        if (!failed.has(p.tx.sender)) pool.drop(p.tx.hash)
        failed.add(p.tx.sender)
        logger?.debug?.({ hash: p.tx.hash, err: p.error }, 'transaction refused at execution')
      }
    }
  }

  /**
   * Places pending transactions into the open block. While running, one batch per turn of the lock: a backlog is
   * worked off batch by batch so a tick (which jumps the queue) waits for one batch at most, never for the backlog.
   */
  const place = async (all = false) => {
    placeQueued = false
    if (!open) return
    if (!open.fits({ gasLimit: 21_000n, size: 1 })) return
    const r = await fillBlock(open, {
      pending: pool,
      ordering,
      gas,
      batchSize: config.batchSize ?? 64,
      maxBatches: all ? undefined : 1,
      onBatch,
    })
    if (!r.complete) schedulePlacement()
  }

  const schedulePlacement = () => {
    if (!running || placeQueued) return
    placeQueued = true
    // After the admissions that are ready in this turn of the event loop, so they execute as one batch.
    setImmediate(() =>
      background(
        'placement',
        lock.run(() => place()),
      ),
    )
  }

  const sealFailed = (err: unknown, number: bigint) => {
    // The live state may now be ahead of what the chain wrote: nothing safe to build on. Stop and say so.
    running = false
    ticker.stop()
    logger?.error?.({ err, number }, 'sealing failed; sequencer stopped')
  }

  /**
   * Seals the open block and starts writing it (`chain.seal`) without waiting: the next block opens on the tip
   * while the batch is written. Receipts and the head are the chain's business and move once it is written.
   */
  const sealOpen = async (): Promise<{ sealed: SealedBlock; write: Promise<void> }> => {
    const o = open!
    open = undefined
    const started = performance.now()
    const state = chain.state()
    let sealed: SealedBlock
    try {
      // The previous block's ops must be in the Db before this flush (and this block's write goes after it).
      await written()
      sealed = await sealBlock(o, state)
    } catch (err) {
      sealFailed(err, o.ctx.number)
      throw err
    }
    const sealMs = performance.now() - started
    tip = { header: sealed.block.header, hash: sealed.block.hash }
    const write = chain.seal(sealed).then(
      () => {
        if (writing === write) writing = undefined
        if (tip?.hash === sealed.block.hash) {
          tip = undefined
          tipByHash = new Map()
          tipNonces = new Map()
          tipDeposits = new Set()
        }
        logger?.debug?.({ number: o.ctx.number, txs: sealed.execution.included.length, sealMs }, 'block sealed')
        blocks.emit(sealed, { sealMs: performance.now() - started })
      },
      (err: unknown) => {
        sealFailed(err, o.ctx.number)
        throw err
      },
    )
    writing = write
    // Nobody may be waiting on this write (a tick): its failure is logged by sealFailed, not unhandled.
    write.catch(() => {})
    const promised = o.txs.map((t) => t.hash)
    const got = sealed.execution.included.map((t) => t.hash)
    if (promised.join() !== got.join())
      logger?.error?.(
        { err: new PreconfirmationBrokenError({ blockNumber: o.ctx.number, expected: promised, got }) },
        'sealed block differs from its preconfirmations',
      )
    tipByHash = openByHash
    tipNonces = openNonces
    tipDeposits = new Set(o.deposits.map((d) => d.sourceHash))
    openByHash = new Map()
    openNonces = new Map()
    // Deposits move their senders' nonces, and refused transactions may have left gaps: re-read what changed.
    const touched = new Set<Address>([
      ...sealed.execution.included.map((t) => t.sender),
      ...o.deposits.map((d) => d.from),
    ])
    for (const sender of touched) {
      if (pool.pendingNonce(sender) === undefined) continue
      const nonce = (await state.getAccount(sender))?.nonce ?? 0n
      for (const tx of pool.setNonce(sender, nonce).promoted) pendingTxs.emit(tx)
    }
    return { sealed, write }
  }

  /** Seals the open block (if worth it) and opens the next; resolves once the seal is written only with `wait`. */
  const rotate = async (allowEmpty: boolean, wait: boolean): Promise<SealedBlock | undefined> => {
    if (!open) {
      await openNext()
      await place(true)
    } else if (!running) await place(true)
    const o = open!
    let sealed: { sealed: SealedBlock; write: Promise<void> } | undefined
    if (o.txs.length > 0 || o.deposits.length > 0 || emptyBlocks || allowEmpty) sealed = await sealOpen()
    else {
      // Nothing to seal: reopen so the next block has a fresh timestamp and picks up new deposits.
      o.discard()
      open = undefined
    }
    if (running) {
      await openNext()
      schedulePlacement()
    }
    if (sealed && wait) await sealed.write
    return sealed?.sealed
  }

  const admit = async (tx: TxEnvelope, ctx: BlockContext, state: StateDb, store: GasStore) => {
    if (openByHash.has(tx.hash) || tipByHash.has(tx.hash)) throw new AlreadyKnownError({ hash: tx.hash })
    if (tx.gasLimit > maxBlockGas)
      throw new TxExceedsBlockLimitError({ hash: tx.hash, limit: 'gas', value: tx.gasLimit, max: maxBlockGas })
    if (tx.size > maxBlockBytes)
      throw new TxExceedsBlockLimitError({ hash: tx.hash, limit: 'bytes', value: tx.size, max: maxBlockBytes })
    try {
      await vm.validateTx(tx, state, ctx, gas)
    } catch (err) {
      // A future nonce is the pool's business (queued until the gap fills), not a refusal.
      if (!(err instanceof NonceTooHighError)) throw err
    }
    const admission = {
      chainId,
      blockNumber: ctx.number,
      fees: ctx.fees,
      balanceOf: async (a: Address) => (await state.getAccount(a))?.balance ?? 0n,
      store,
    }
    // The model's sync variant first (no promise when it decides from the batch's memory), as the VMs do.
    if (!gas.admitSync?.(tx, admission)) await gas.admit(tx, admission)
    const stateNonce = (await state.getAccount(tx.sender))?.nonce ?? 0n
    const r = pool.add(tx, { stateNonce })
    for (const p of r.promoted) pendingTxs.emit(p)
  }

  const mempool: SequencerMempool = {
    get count() {
      return pool.count
    },
    get bytes() {
      return pool.bytes
    },
    get: (hash) => openByHash.get(hash) ?? tipByHash.get(hash) ?? pool.get(hash),
    has: (hash) => openByHash.has(hash) || tipByHash.has(hash) || pool.has(hash),
    pendingNonce: (sender) => pool.pendingNonce(sender) ?? openNonces.get(sender) ?? tipNonces.get(sender),
    pending: () => pool.pending(),
    queued: () => pool.queued(),
    senders: () => pool.senders(),
    queue: (sender) => pool.queue(sender),
    allSenders: () => pool.allSenders(),
    inBlock: () => [...(open?.txs ?? [])],
  }

  return {
    mempool,
    address: signer?.address,
    get running() {
      return running
    },

    async submit(raws) {
      if (!Array.isArray(raws) || !raws.every((r) => r instanceof Uint8Array))
        throw new TypeError('submit: expected an array of Uint8Array')
      if (raws.length === 0) return []
      const decoded = await decode(raws)
      const results = await lock.run(async () => {
        const ctx = open?.ctx ?? nextCtx()
        const state = chain.state()
        // One read cache for the batch: the state cannot change while it holds the lock, so each gas-store
        // key is read once however many of the batch's transactions ask (never flushed: admission writes nothing).
        const store = blockGasStore(stateGasStore(state))
        // The gas model's keys for the whole batch in one batched read (its `prefetch`), as the VMs do per block:
        // each transaction's admission then answers from the cache instead of awaiting a read per new sender.
        if (gas.prefetch !== undefined) {
          const txs = decoded.filter((d): d is Exclude<typeof d, BaseError> => !(d instanceof BaseError))
          // Only a cache warm-up: a failure here (a read error, a transaction it cannot make sense of) leaves
          // each transaction's own admission below to read, and refuse, as without it.
          try {
            if (txs.length > 0) await gas.prefetch(txs, { blockNumber: ctx.number, store })
          } catch {}
        }
        const out: (TxEnvelope | BaseError)[] = []
        for (const d of decoded) {
          if (d instanceof BaseError) {
            out.push(d)
            continue
          }
          try {
            await admit(d, ctx, state, store)
            out.push(d)
          } catch (err) {
            out.push(err instanceof BaseError ? err : new BaseError('Transaction refused.', { cause: err }))
          }
        }
        return out
      })
      if (results.some((r) => !(r instanceof BaseError))) schedulePlacement()
      return results
    },

    start() {
      if (running) return
      running = true
      background(
        'opening a block',
        lock.run(async () => {
          if (!open) await openNext()
          schedulePlacement()
        }),
      )
      ticker.start()
    },

    async stop() {
      if (!running) {
        await lock.run(() => writing?.catch(() => {}))
        return
      }
      running = false
      ticker.stop()
      await lock.run(async () => {
        if (open) {
          if (open.txs.length > 0 || open.deposits.length > 0) await (await sealOpen()).write
          else {
            open.discard()
            open = undefined
          }
        }
        // A failed write was logged (and stopped the sequencer) where it happened.
        await writing?.catch(() => {})
      })
    },

    buildNow(opts = {}) {
      if (typeof opts !== 'object' || opts === null) throw new TypeError('buildNow: options must be an object')
      return lock.run(() => rotate(opts.allowEmpty ?? false, true))
    },

    runExclusive(fn) {
      if (typeof fn !== 'function') throw new TypeError('runExclusive: expected a function')
      return lock.run(fn)
    },

    // Without a `preconf` key nothing is ever emitted; subscribing is still fine.
    onPreconfirmation: (cb) => preconfs.add(cb),
    onBlock: (cb) => blocks.add(cb),
    onPendingTx: (cb) => pendingTxs.add(cb),
  }
}
