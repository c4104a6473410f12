import type { BlockExecution, BlockHeader, Db, DbOp, Hex, StateDb, TxEnvelope, Vm } from '@appchain/core'
import { BaseError, EMPTY_TRIE_ROOT, hashHeader, levelDb, memoryDb, ZERO_ADDRESS, ZERO_HASH } from '@appchain/core'
import { createSequencer, priorityFee } from '@appchain/sequencer'
import { createStateDb, openStateDb } from '@appchain/state'
import type { Logger } from 'pino'
import type { NodeConfig, NodeStateDb } from './config.js'
import { GenesisMismatchError, NodeConfigError, NodeStoppedError } from './errors.js'
import { createLogger } from './logger.js'
import { createNodeMetrics } from './metrics.js'
import { createRpcDispatcher, defaultLimits, type ResolvedRpcLimits } from './rpc/dispatcher.js'
import { createEventHub } from './rpc/events.js'
import { formatEvmTx } from './rpc/format.js'
import { createMethods, type NodeInternals } from './rpc/methods.js'
import { type RpcServer, startRpcServer } from './rpc/server.js'
import type { Preconfirmation, SealedBlock, SequencerChain, SequencerHandle } from './seam.js'
import { cachedDb } from './store/cachedDb.js'
import { blockLogs, createChainStore } from './store/chainStore.js'
import type { BlockRecord } from './store/codec.js'

/** Name and version in `web3_clientVersion`. */
export const CLIENT_VERSION = 'appchain/v0.0.0'

const DEFAULT_GAS_LIMIT = 30_000_000n
const ZERO_BLOOM = `0x${'0'.repeat(512)}` as Hex
/** How many recent block hashes the node keeps in memory for BLOCKHASH. */
const RECENT_HASHES = 256
/** Preconfirmations kept for `appchain_getPreconfirmation`. */
const MAX_PRECONFS = 100_000

/**
 * Starts a node: opens (or creates) the chain in its Db, writes genesis on first start, restores unsealed
 * transactions, runs the sequencer, and serves JSON-RPC over HTTP and WebSocket on one port.
 *
 * @example
 * ```ts
 * import { createNode } from '@appchain/node'
 * import { evmVm } from '@appchain/vm-evm'
 * import { eip1559 } from '@appchain/gas'
 *
 * const node = await createNode({ chainId: 4242, vm: evmVm(), gas: eip1559(), db: { inMemory: true }, rpc: { port: 0 } })
 * console.log(node.url) // http://127.0.0.1:54321
 * await node.stop()
 * ```
 */
export async function createNode(config: NodeConfig) {
  if (typeof config.chainId !== 'bigint' && !Number.isSafeInteger(config.chainId)) {
    throw new TypeError(`chainId must be an integer, got ${String(config.chainId)}`)
  }
  const chainId = BigInt(config.chainId)
  if (chainId <= 0n) throw new RangeError(`chainId must be positive, got ${chainId}`)
  if (!config.vm || typeof config.vm.executeBlock !== 'function')
    throw new NodeConfigError({ field: 'vm', reason: 'must be a Vm' })
  if (!config.gas || typeof config.gas.nextBlockFees !== 'function') {
    throw new NodeConfigError({ field: 'gas', reason: 'must be a GasModel' })
  }
  const log: Logger = createLogger(config.logger)
  const seqConfig = config.sequencer ?? {}
  const persistMempool = (config.mempoolPersistence ?? 'restore') === 'restore'
  const rpcConfig = config.rpc === false ? undefined : (config.rpc ?? {})
  const limits: ResolvedRpcLimits = { ...defaultLimits }
  for (const [k, v] of Object.entries(rpcConfig?.limits ?? {})) {
    if (v === undefined) continue
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`rpc.limits.${k} must be a positive integer, got ${v}`)
    ;(limits as Record<string, number>)[k] = v
  }

  // --- storage ---------------------------------------------------------------------------------------------
  const dbConfig = config.db ?? { path: './.appchain' }
  const db: Db =
    'db' in dbConfig
      ? dbConfig.db
      : 'inMemory' in dbConfig
        ? memoryDb()
        : // Reads of the same accounts (senders, coinbase) repeat for every admission and block: keep them in memory.
          cachedDb(await levelDb({ path: dbConfig.path, sync: dbConfig.sync }))
  const ownsDb = !('db' in dbConfig)
  const cleanup: (() => Promise<void> | void)[] = []
  try {
    const store = await createChainStore(db)
    const resumeRoot = store.head()?.header.stateRoot
    const state: NodeStateDb = config.state
      ? await config.state(db, { root: resumeRoot })
      : config.vm.openState
        ? await config.vm.openState(db, { root: resumeRoot })
        : resumeRoot
          ? await openStateDb({ db, root: resumeRoot })
          : createStateDb({ db })
    // Pushed first, so it runs last on stop: after the sequencer and server, before the Db closes.
    if (typeof state.close === 'function') cleanup.push(() => state.close!())

    // --- genesis or resume ------------------------------------------------------------------------------------
    const storedChainId = await store.getMeta<string>('chainId')
    if (store.head() === undefined) {
      const vmGenesis = config.vm.genesis.bind(config.vm)
      await vmGenesis(config.genesis?.alloc ?? {}, state)
      const flushed = await state.flush()
      const header: BlockHeader = {
        parentHash: ZERO_HASH,
        number: 0n,
        timestamp: config.genesis?.timestamp ?? BigInt(Math.floor(Date.now() / 1000)),
        coinbase: config.genesis?.coinbase ?? ZERO_ADDRESS,
        stateRoot: flushed.root,
        transactionsRoot: EMPTY_TRIE_ROOT,
        receiptsRoot: EMPTY_TRIE_ROOT,
        withdrawalsRoot: EMPTY_TRIE_ROOT,
        logsBloom: ZERO_BLOOM,
        gasLimit: seqConfig.maxBlockGas ?? DEFAULT_GAS_LIMIT,
        gasUsed: 0n,
        baseFeePerGas: config.gas.genesisFees().baseFeePerGas,
        prevRandao: ZERO_HASH,
        extraData: config.genesis?.extraData ?? '0x',
      }
      const execution: BlockExecution = {
        receipts: [],
        excluded: [],
        included: [],
        gasUsed: 0n,
        withdrawals: [],
        withdrawalsRoot: EMPTY_TRIE_ROOT,
        transactionsRoot: EMPTY_TRIE_ROOT,
        receiptsRoot: EMPTY_TRIE_ROOT,
        logsBloom: ZERO_BLOOM,
        stateRoot: flushed.root,
      }
      const genesis = { hash: hashHeader(header), header, transactions: [], deposits: [] }
      await store.seal({ block: genesis, execution, stateOps: flushed.ops }, [
        store.metaOp('chainId', chainId.toString()),
      ])
      log.info({ hash: genesis.hash, stateRoot: flushed.root }, 'genesis written')
    } else if (storedChainId !== undefined && storedChainId !== chainId.toString()) {
      throw new GenesisMismatchError({ field: 'chainId', stored: storedChainId, configured: chainId.toString() })
    } else {
      const h = store.head()!
      const root = await state.root()
      if (root !== h.header.stateRoot) {
        throw new GenesisMismatchError({ field: 'state root at head', stored: root, configured: h.header.stateRoot })
      }
      log.info({ number: h.header.number.toString(), hash: h.hash }, 'resuming chain')
    }

    // Recent hashes for BLOCKHASH, synchronously.
    const recent = new Map<bigint, Hex>()
    {
      const h = store.head()!.header.number
      for (let i = h < BigInt(RECENT_HASHES) ? 0n : h - BigInt(RECENT_HASHES) + 1n; i <= h; i++) {
        const hash = await store.getHashByNumber(i)
        if (hash) recent.set(i, hash)
      }
    }

    // --- metrics & VM timing ------------------------------------------------------------------------------------
    let sequencer: SequencerHandle | undefined
    const metrics = createNodeMetrics({
      mempoolSize: () => sequencer?.mempool.count ?? 0,
      defaults: config.processMetrics,
    })
    metrics.head.set(Number(store.head()!.header.number))
    const vm = timedVm(config.vm, (s) => metrics.buildTime.observe(s))

    // --- unsealed transactions -----------------------------------------------------------------------------------
    /** Admitted, not yet sealed: hash -> tx and the seal count when it was admitted (for the sweep). */
    const unsealed = new Map<Hex, { tx: TxEnvelope; at: number }>()
    let seals = 0
    let pendingSeq = BigInt(Date.now()) * 1000n
    const preconfs = new Map<Hex, Preconfirmation>()

    const events = createEventHub({
      maxSubscriptionsPerConnection: limits.maxSubscriptionsPerConnection,
      pendingTxJson: (hash) => {
        const tx = unsealed.get(hash)?.tx ?? sequencer?.mempool.get(hash)
        return tx && config.vm.kind === 'evm' ? formatEvmTx(tx.raw, { hash, from: tx.sender }) : hash
      },
    })

    // --- the chain the sequencer builds on ----------------------------------------------------------------------
    const chain: SequencerChain = {
      head() {
        const h = store.head()!
        return { header: h.header, hash: h.hash }
      },
      state: () => state,
      blockHash: (n) => recent.get(n),
      async seal(sealed: SealedBlock) {
        const started = performance.now()
        const extra: DbOp[] = []
        for (const { hash } of sealed.execution.excluded) {
          if (unsealed.delete(hash)) extra.push(store.pendingDelOp(hash))
        }
        // Sweep: admitted transactions that left the pool without being sealed (replaced, evicted).
        seals++
        if (seals % 8 === 0 && sequencer) {
          for (const [hash, u] of unsealed) {
            if (seals - u.at >= 2 && !sequencer.mempool.has(hash)) {
              unsealed.delete(hash)
              extra.push(store.pendingDelOp(hash))
            }
          }
        }
        const record = await store.seal(sealed, extra)
        for (const r of sealed.execution.receipts) unsealed.delete(r.transactionHash)
        recent.set(record.header.number, record.hash)
        recent.delete(record.header.number - BigInt(RECENT_HASHES))
        headView = undefined
        metrics.sealTime.observe((performance.now() - started) / 1000)
        metrics.blocks.inc()
        metrics.txs.inc(sealed.execution.receipts.length)
        metrics.head.set(Number(record.header.number))
        events.onBlock(record, blockLogs(record, sealed.execution.receipts))
        log.debug({ number: record.header.number.toString(), txs: sealed.execution.receipts.length }, 'sealed block')
      },
    }

    const seq = createSequencer({
      vm,
      gas: config.gas,
      ordering: seqConfig.ordering ?? priorityFee(),
      chain,
      chainId,
      blockTimeMs: seqConfig.blockTimeMs ?? 250,
      maxBlockGas: seqConfig.maxBlockGas ?? DEFAULT_GAS_LIMIT,
      ...(seqConfig.maxBlockBytes === undefined ? {} : { maxBlockBytes: seqConfig.maxBlockBytes }),
      emptyBlocks: seqConfig.emptyBlocks ?? false,
      ...(seqConfig.preconf ? { preconf: seqConfig.preconf } : {}),
      ...(seqConfig.mempool ? { mempool: seqConfig.mempool } : {}),
      ...(seqConfig.coinbase ? { coinbase: seqConfig.coinbase } : {}),
      logger: log.child({ module: 'sequencer' }),
    }) satisfies SequencerHandle
    sequencer = seq
    cleanup.push(() => seq.stop())

    cleanup.push(
      seq.onPreconfirmation((p) => {
        preconfs.set(p.txHash, p)
        if (preconfs.size > MAX_PRECONFS) preconfs.delete(preconfs.keys().next().value as Hex)
        events.onPreconfirmation(p)
      }),
      seq.onPendingTx((tx) => events.onPendingTx(tx.hash)),
    )

    // --- submission: adaptive batching. Sends that arrive together go to the sequencer as one batch (one
    // parallel sender-recovery job, one admission pass); while two batches are in flight, new sends wait and
    // join the next one, so batches grow with load and the sequencer's lock is not churned by single txs.
    let queue: { raw: Uint8Array; resolve: (h: Hex) => void; reject: (e: unknown) => void }[] = []
    let stopped = false
    let inflight = 0
    let scheduled = false
    const MAX_INFLIGHT = 2
    const flushQueue = async () => {
      const batch = queue
      queue = []
      inflight++
      try {
        const results = await seq.submit(batch.map((b) => b.raw))
        const ops: DbOp[] = []
        for (const r of results) {
          if (r instanceof BaseError) continue
          unsealed.set(r.hash, { tx: r, at: seals })
          if (persistMempool) ops.push(store.pendingOp(r.hash, pendingSeq++, r.raw))
        }
        if (ops.length) await db.batch(ops)
        results.forEach((r, i) => (r instanceof BaseError ? batch[i]!.reject(r) : batch[i]!.resolve(r.hash)))
      } catch (err) {
        for (const b of batch) b.reject(err)
      } finally {
        inflight--
        schedule()
      }
    }
    const schedule = () => {
      if (scheduled || queue.length === 0 || inflight >= MAX_INFLIGHT) return
      scheduled = true
      setImmediate(() => {
        scheduled = false
        if (queue.length && inflight < MAX_INFLIGHT) void flushQueue()
      })
    }
    const submit = (raw: Uint8Array) =>
      new Promise<Hex>((resolve, reject) => {
        if (stopped) return reject(new NodeStoppedError())
        queue.push({ raw, resolve, reject })
        schedule()
      })

    // Restore what was admitted but not sealed before the last stop or crash.
    if (persistMempool) {
      const saved = await store.pending()
      if (saved.length) {
        const results = await seq.submit(saved.map((s) => s.raw))
        const drop: DbOp[] = []
        let restored = 0
        results.forEach((r, i) => {
          if (r instanceof BaseError) drop.push(store.pendingDelOp(saved[i]!.hash))
          else {
            restored++
            unsealed.set(r.hash, { tx: r, at: seals })
          }
        })
        await db.batch(drop)
        log.info({ restored, dropped: drop.length }, 'restored unsealed transactions')
      }
    }

    // --- state views for RPC reads ------------------------------------------------------------------------------------
    let headView: { root: Hex; state: Promise<StateDb> } | undefined
    const viewAt = async (block: BlockRecord): Promise<StateDb> => {
      const view = state.at ? await state.at(block.header.stateRoot) : undefined
      if (!view) {
        throw new BaseError(`state of block ${block.header.number} is not available`, {
          data: { block: block.header.number, root: block.header.stateRoot },
        })
      }
      return view
    }

    const internals: NodeInternals = {
      chainId,
      vm: config.vm,
      gas: config.gas,
      store,
      sequencer: seq,
      events,
      limits,
      clientVersion: CLIENT_VERSION,
      readState(block) {
        if (block.hash === store.head()?.hash) {
          if (headView?.root !== block.header.stateRoot)
            headView = { root: block.header.stateRoot, state: viewAt(block) }
          return headView.state
        }
        return viewAt(block)
      },
      scratchState: viewAt,
      exclusive: (fn) => seq.runExclusive(fn),
      submit,
      unsealed: (hash) => unsealed.get(hash)?.tx,
      preconfirmation: (hash) => preconfs.get(hash),
      blockHash: (n) => recent.get(n),
      info: () => ({
        name: CLIENT_VERSION,
        chainId: `0x${chainId.toString(16)}`,
        vm: config.vm.kind,
        gas: config.gas.name,
        head: store.head()?.hash,
        rpc: server ? { http: server.url, ws: server.wsUrl } : null,
      }),
    }
    const methods = createMethods(internals)
    const dispatcher = createRpcDispatcher({
      methods,
      enabledNamespaces: rpcConfig?.enable,
      limits,
      onInternalError: (err, method) => log.error({ err, method }, 'internal error in RPC method'),
      onCall: (method, _ms, ok) =>
        metrics.rpcCalls.inc({
          method: Object.hasOwn(methods, method) ? method : 'unknown',
          status: ok ? 'ok' : 'error',
        }),
    })

    let server: RpcServer | undefined
    if (rpcConfig) {
      server = await startRpcServer({
        dispatcher,
        host: rpcConfig.host,
        port: rpcConfig.port ?? 8545,
        cors: rpcConfig.cors,
        routes: {
          '/metrics': async () => ({
            contentType: metrics.registry.contentType,
            body: await metrics.registry.metrics(),
          }),
          '/health': async () => ({
            contentType: 'application/json',
            body: JSON.stringify({ ok: true, head: store.head()?.header.number.toString() }),
          }),
        },
        onConnection: (open) => (open ? metrics.wsConnections.inc() : metrics.wsConnections.dec()),
      })
      cleanup.push(() => server!.close())
      log.info({ url: server.url, ws: server.wsUrl }, 'JSON-RPC listening')
    }

    seq.start()
    let stopping: Promise<void> | undefined

    return {
      chainId,
      /** HTTP JSON-RPC url (undefined with `rpc: false`). */
      url: server?.url,
      wsUrl: server?.wsUrl,
      port: server?.port,
      store,
      state,
      db,
      sequencer: seq,
      metrics,
      logger: log,
      /** Calls a JSON-RPC method in process (no transport), with the same errors as over the wire. */
      async request(method: string, params: unknown[] = []): Promise<unknown> {
        const out = await dispatcher.handle(JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }))
        const res = JSON.parse(out!) as { result?: unknown; error?: { code: number; message: string; data?: unknown } }
        if (res.error) throw Object.assign(new Error(res.error.message), res.error)
        return res.result
      },
      /** Stops serving, stops the sequencer (sealing nothing half-way) and closes the Db. Idempotent. */
      stop(): Promise<void> {
        stopping ??= (async () => {
          stopped = true
          for (const fn of cleanup.splice(0).reverse()) await fn()
          if (ownsDb) await db.close()
          log.info('node stopped')
        })()
        return stopping
      },
    }
  } catch (err) {
    for (const fn of cleanup.splice(0).reverse()) await Promise.resolve(fn()).catch(() => {})
    if (ownsDb) await db.close()
    throw err
  }
}

/** A running node. */
export type AppchainNode = Awaited<ReturnType<typeof createNode>>

/**
 * The VM with block execution timed for the build-time histogram: `executeBlock`, or, when the sequencer
 * builds incrementally, every `add` of an open block plus its `finish`.
 */
function timedVm(vm: Vm, observe: (seconds: number) => void): Vm {
  const executeBlock: Vm['executeBlock'] = async (input) => {
    const t = performance.now()
    try {
      return await vm.executeBlock(input)
    } finally {
      observe((performance.now() - t) / 1000)
    }
  }
  const openBlock: Vm['openBlock'] = vm.openBlock
    ? async (input) => {
        const builder = await vm.openBlock!(input)
        let spent = 0
        const timed = async <T>(fn: () => Promise<T>) => {
          const t = performance.now()
          try {
            return await fn()
          } finally {
            spent += performance.now() - t
          }
        }
        return new Proxy(builder, {
          get(target, prop, receiver) {
            if (prop === 'add') return (txs: Parameters<typeof builder.add>[0]) => timed(() => target.add(txs))
            if (prop === 'finish') {
              return async () => {
                try {
                  return await timed(() => target.finish())
                } finally {
                  observe(spent / 1000)
                }
              }
            }
            const v = Reflect.get(target, prop, receiver)
            return typeof v === 'function' ? v.bind(target) : v
          },
        })
      }
    : undefined
  return new Proxy(vm, {
    get(target, prop, receiver) {
      if (prop === 'executeBlock') return executeBlock
      if (prop === 'openBlock') return openBlock
      const v = Reflect.get(target, prop, receiver)
      return typeof v === 'function' ? v.bind(target) : v
    },
  })
}
