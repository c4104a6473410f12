import type {
  Address,
  BlockContext,
  CallRequest,
  CallResult,
  GasModel,
  Hex,
  Receipt,
  StateDb,
  TxEnvelope,
  Vm,
} from '@appchain/core'
import { BlockNotFoundError, bytesToHex, ExecutionRevertedError, hexToBytes, keccak256Hex } from '@appchain/core'
import { RpcInvalidParamsError, RpcLimitExceededError, RpcMethodNotFoundError } from '../errors.js'
import type { Preconfirmation, SequencerHandle } from '../seam.js'
import type { ChainStore } from '../store/chainStore.js'
import type { BlockRecord } from '../store/codec.js'
import type { ResolvedRpcLimits, RpcMethod } from './dispatcher.js'
import { type EventHub, type LogFilter, preconfJson } from './events.js'
import { formatBlock, formatDepositTx, formatEvmTx, formatLog, formatReceipt, q, type TxPosition } from './format.js'
import {
  type AccountOverride,
  address,
  arity,
  type BlockSelector,
  blockParam,
  bool,
  callRequest,
  data,
  filterParams,
  hash32,
  quantity,
  slot,
  stateOverrides,
} from './params.js'
import { revertReason } from './revertReason.js'

/** What the JSON-RPC methods need from the node. */
export interface NodeInternals {
  chainId: bigint
  vm: Vm
  gas: GasModel
  store: ChainStore
  sequencer: SequencerHandle
  events: EventHub
  limits: ResolvedRpcLimits
  clientVersion: string
  /** A read-only view of the state after `block` (shared between readers). */
  readState(block: BlockRecord): Promise<StateDb>
  /** A private, writable view of the state after `block` (calls, overrides). */
  scratchState(block: BlockRecord): Promise<StateDb>
  /**
   * Runs VM calls while no block work runs: the VM's interpreter and journal are shared with the open block,
   * so a call must not interleave with it (the sequencer's `runExclusive`).
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T>
  /** Decodes, validates and admits one raw transaction; resolves with its hash once it is persisted. */
  submit(raw: Uint8Array): Promise<Hex>
  /** An accepted, not yet sealed transaction. */
  unsealed(hash: Hex): TxEnvelope | undefined
  preconfirmation(hash: Hex): Preconfirmation | undefined
  blockHash(n: bigint): Hex | undefined
  info(): Record<string, unknown>
}

const head = (n: NodeInternals) => {
  const h = n.store.head()
  if (!h) throw new BlockNotFoundError({ block: 'latest' })
  return h
}

async function findBlock(n: NodeInternals, sel: BlockSelector): Promise<BlockRecord | undefined> {
  if ('hash' in sel) return n.store.getBlockByHash(sel.hash)
  if ('number' in sel) return n.store.getBlockByNumber(sel.number)
  if (sel.tag === 'earliest') return n.store.getBlockByNumber(0n)
  // Every sealed block is final on a single-sequencer chain: safe and finalized are the head.
  return head(n)
}

async function mustFindBlock(n: NodeInternals, sel: BlockSelector): Promise<BlockRecord> {
  const block = await findBlock(n, sel)
  if (!block) {
    const name = 'hash' in sel ? sel.hash : 'number' in sel ? q(sel.number) : sel.tag
    throw new BlockNotFoundError({ block: name })
  }
  return block
}

async function blockNumberOf(n: NodeInternals, sel: BlockSelector): Promise<bigint> {
  if ('number' in sel) return sel.number
  return (await mustFindBlock(n, sel)).header.number
}

function blockContext(n: NodeInternals, block: BlockRecord): BlockContext {
  const h = block.header
  return {
    chainId: n.chainId,
    number: h.number,
    timestamp: h.timestamp,
    coinbase: h.coinbase,
    gasLimit: h.gasLimit,
    fees: { baseFeePerGas: h.baseFeePerGas },
    prevRandao: h.prevRandao,
    parentHash: h.parentHash,
    getBlockHash: (x) => n.blockHash(x),
    l1Origin: h.l1Origin,
  }
}

function formatTx(
  n: NodeInternals,
  block: BlockRecord,
  receipts: readonly Receipt[],
  i: number,
): Record<string, unknown> {
  const r = receipts[i]!
  const position: TxPosition = {
    blockHash: block.hash,
    blockNumber: block.header.number,
    index: i,
    baseFeePerGas: block.header.baseFeePerGas,
  }
  const deposit = block.deposits[i]
  if (deposit) return formatDepositTx(deposit, r.transactionHash, position)
  const raw = block.transactions[i - block.deposits.length]!
  return formatAnyTx(n, raw, { hash: r.transactionHash, from: r.from }, position)
}

function formatAnyTx(n: NodeInternals, raw: Uint8Array, meta: { hash: Hex; from: Hex }, position?: TxPosition) {
  if (n.vm.kind === 'evm') return formatEvmTx(raw, meta, position)
  return {
    hash: meta.hash,
    from: meta.from,
    input: bytesToHex(raw),
    blockHash: position?.blockHash ?? null,
    blockNumber: position ? q(position.blockNumber) : null,
    transactionIndex: position ? q(position.index) : null,
  }
}

async function blockJson(n: NodeInternals, block: BlockRecord, full: boolean) {
  if (!full) return formatBlock(block, block.txHashes)
  const receipts = (await n.store.getReceipts(block.hash)) ?? []
  return formatBlock(
    block,
    receipts.map((_, i) => formatTx(n, block, receipts, i)),
  )
}

function receiptsJson(block: BlockRecord, receipts: readonly Receipt[]) {
  let logIndex = 0
  return receipts.map((r) => {
    const out = formatReceipt(r, { hash: block.hash, number: block.header.number }, logIndex)
    logIndex += r.logs.length
    return out
  })
}

async function applyOverrides(state: StateDb, overrides: Map<Address, AccountOverride>) {
  for (const [addr, o] of overrides) {
    if (o.balance !== undefined || o.nonce !== undefined) {
      const acct = (await state.getAccount(addr)) ?? { nonce: 0n, balance: 0n, codeHash: keccak256Hex('0x') }
      await state.putAccount(addr, { ...acct, balance: o.balance ?? acct.balance, nonce: o.nonce ?? acct.nonce })
    }
    if (o.code !== undefined) await state.putCode(addr, hexToBytes(o.code))
    if (o.state) await state.clearStorage(addr)
    for (const [k, v] of Object.entries(o.state ?? o.stateDiff ?? {})) await state.putStorage(addr, k as Hex, v)
  }
}

function revertError(result: CallResult): ExecutionRevertedError {
  return new ExecutionRevertedError({ revertData: result.returnData, reason: revertReason(result.returnData) })
}

function requireCall(vm: Vm) {
  const call = vm.call
  if (!call) throw new RpcMethodNotFoundError({ method: 'eth_call', reason: `The ${vm.kind} VM has no calls.` })
  return call.bind(vm)
}

/** Resolves a log filter's bounds against the chain (tags to numbers). */
async function logRange(n: NodeInternals, f: ReturnType<typeof filterParams>) {
  const from = await blockNumberOf(n, f.fromBlock)
  const to = await blockNumberOf(n, f.toBlock)
  return { from, to }
}

async function getLogs(n: NodeInternals, f: ReturnType<typeof filterParams>) {
  if (f.blockHash) {
    await mustFindBlock(n, { hash: f.blockHash })
    const logs = await n.store.getLogs({
      fromBlock: 0n,
      toBlock: 0n,
      blockHash: f.blockHash,
      addresses: f.addresses,
      topics: f.topics,
    })
    return logs.map(formatLog)
  }
  const { from, to } = await logRange(n, f)
  const headNumber = head(n).header.number
  const end = to > headNumber ? headNumber : to
  if (from > end) return []
  const span = Number(end - from + 1n)
  if (span > n.limits.maxLogBlockRange) {
    throw new RpcLimitExceededError({ limit: 'eth_getLogs block range', max: n.limits.maxLogBlockRange, got: span })
  }
  const logs = await n.store.getLogs({ fromBlock: from, toBlock: end, addresses: f.addresses, topics: f.topics })
  if (logs.length > n.limits.maxLogs) {
    throw new RpcLimitExceededError({ limit: 'eth_getLogs results', max: n.limits.maxLogs, got: logs.length })
  }
  return logs.map(formatLog)
}

function logFilterOf(f: ReturnType<typeof filterParams>): LogFilter {
  return {
    addresses: f.addresses,
    topics: f.topics,
    fromBlock: 'number' in f.fromBlock ? f.fromBlock.number : undefined,
    toBlock: 'number' in f.toBlock ? f.toBlock.number : undefined,
  }
}

/** gas used -> the smallest gas limit that succeeds, by bisection (as geth does). */
async function estimateGas(
  n: NodeInternals,
  req: CallRequest,
  block: BlockRecord,
  overrides: Map<Address, AccountOverride>,
) {
  const call = requireCall(n.vm)
  const ctx = blockContext(n, block)
  const run = async (gas: bigint) => {
    const state = await n.scratchState(block)
    await applyOverrides(state, overrides)
    return n.exclusive(() => call({ ...req, gas }, state, ctx))
  }
  let hi = req.gas ?? block.header.gasLimit
  const first = await run(hi)
  if (first.status !== 'success') throw revertError(first)
  // Most transactions need exactly what they used (no refunds, no 63/64 reservations): one call settles it.
  if (first.gasUsed < hi && (await run(first.gasUsed)).status === 'success') return first.gasUsed
  let lo = first.gasUsed
  // Refunds and the 63/64 rule make the need a little above what was used: try that first.
  const optimistic = ((first.gasUsed + 2300n) * 64n) / 63n
  if (optimistic < hi) {
    if ((await run(optimistic)).status === 'success') hi = optimistic
    else lo = optimistic
  }
  while (hi - lo > 1n && (hi - lo) * 1000n > hi * 15n) {
    const mid = (lo + hi) / 2n
    if ((await run(mid)).status === 'success') hi = mid
    else lo = mid
  }
  return hi
}

async function feeHistory(n: NodeInternals, countParam: unknown, newest: BlockSelector, percentiles: number[]) {
  const count = typeof countParam === 'number' ? BigInt(countParam) : quantity(countParam, 0, 'blockCount')
  if (count < 1n) return { oldestBlock: '0x0', baseFeePerGas: [], gasUsedRatio: [], reward: [] }
  const last = await mustFindBlock(n, newest)
  const span = count > 1024n ? 1024n : count
  const first = last.header.number - span + 1n < 0n ? 0n : last.header.number - span + 1n
  const baseFees: Hex[] = []
  const ratios: number[] = []
  const rewards: Hex[][] = []
  for (let i = first; i <= last.header.number; i++) {
    const b = await n.store.getBlockByNumber(i)
    if (!b) break
    const h = b.header
    baseFees.push(q(h.baseFeePerGas))
    ratios.push(h.gasLimit === 0n ? 0 : Number(h.gasUsed) / Number(h.gasLimit))
    if (percentiles.length) {
      const receipts = (await n.store.getReceipts(b.hash)) ?? []
      const tips = receipts
        .map((r) => ({
          tip: r.effectiveGasPrice > h.baseFeePerGas ? r.effectiveGasPrice - h.baseFeePerGas : 0n,
          gas: r.gasUsed,
        }))
        .sort((a, b) => (a.tip < b.tip ? -1 : a.tip > b.tip ? 1 : 0))
      rewards.push(
        percentiles.map((p) => {
          if (!tips.length) return '0x0'
          const threshold = (Number(h.gasUsed) * p) / 100
          let acc = 0
          for (const t of tips) {
            acc += Number(t.gas)
            if (acc >= threshold) return q(t.tip)
          }
          return q(tips[tips.length - 1]!.tip)
        }),
      )
    }
    if (i === last.header.number) {
      baseFees.push(q(n.gas.nextBlockFees(h).baseFeePerGas))
    }
  }
  const out: Record<string, unknown> = { oldestBlock: q(first), baseFeePerGas: baseFees, gasUsedRatio: ratios }
  if (percentiles.length) out.reward = rewards
  return out
}

/**
 * The Ethereum JSON-RPC methods (plus `appchain_`, `debug_` and `admin_` ones) on top of the node's store,
 * state, VM and sequencer.
 *
 * @example
 * ```ts
 * const methods = createMethods(internals)
 * await methods.eth_blockNumber([], { method: 'eth_blockNumber' }) // '0x2a'
 * ```
 */
export function createMethods(n: NodeInternals): Record<string, RpcMethod> {
  const percentilesOf = (v: unknown): number[] => {
    if (v === undefined || v === null) return []
    if (!Array.isArray(v) || v.some((p) => typeof p !== 'number' || p < 0 || p > 100)) {
      throw new RpcInvalidParamsError({ index: 2, reason: 'rewardPercentiles must be numbers between 0 and 100' })
    }
    for (let i = 1; i < v.length; i++) {
      if (v[i] < v[i - 1]) throw new RpcInvalidParamsError({ index: 2, reason: 'rewardPercentiles must be ascending' })
    }
    return v as number[]
  }
  const methods: Record<string, RpcMethod> = {
    web3_clientVersion: () => n.clientVersion,
    web3_sha3: (p) => {
      arity(p, 1)
      return keccak256Hex(data(p[0], 0))
    },
    net_version: () => n.chainId.toString(),
    net_listening: () => true,
    net_peerCount: () => '0x0',
    eth_chainId: () => q(n.chainId),
    eth_syncing: () => false,
    eth_mining: () => true,
    eth_accounts: () => [],
    eth_coinbase: () => head(n).header.coinbase,
    eth_blockNumber: () => q(head(n).header.number),
    eth_gasPrice: () => q(n.gas.quote(n.gas.nextBlockFees(head(n).header)).gasPrice),
    eth_maxPriorityFeePerGas: () => q(n.gas.quote(n.gas.nextBlockFees(head(n).header)).maxPriorityFeePerGas),
    eth_feeHistory: async (p) => {
      arity(p, 2, 3)
      return feeHistory(n, p[0], blockParam(p[1], 1), percentilesOf(p[2]))
    },
    eth_getBalance: async (p) => {
      arity(p, 1, 2)
      const addr = address(p[0], 0)
      const state = await n.readState(await mustFindBlock(n, blockParam(p[1], 1)))
      return q((await state.getAccount(addr))?.balance ?? 0n)
    },
    eth_getTransactionCount: async (p) => {
      arity(p, 1, 2)
      const addr = address(p[0], 0)
      const sel = blockParam(p[1], 1)
      const state = await n.readState(await mustFindBlock(n, sel))
      const nonce = (await state.getAccount(addr))?.nonce ?? 0n
      if ('tag' in sel && sel.tag === 'pending') {
        const pending = n.sequencer.mempool.pendingNonce(addr)
        if (pending !== undefined && pending > nonce) return q(pending)
      }
      return q(nonce)
    },
    eth_getCode: async (p) => {
      arity(p, 1, 2)
      const addr = address(p[0], 0)
      const state = await n.readState(await mustFindBlock(n, blockParam(p[1], 1)))
      return bytesToHex(await state.getCode(addr))
    },
    eth_getStorageAt: async (p) => {
      arity(p, 2, 3)
      const addr = address(p[0], 0)
      const key = slot(p[1], 1)
      const state = await n.readState(await mustFindBlock(n, blockParam(p[2], 2)))
      return state.getStorage(addr, key)
    },
    eth_call: async (p) => {
      arity(p, 1, 4)
      const req = callRequest(p[0], 0)
      const block = await mustFindBlock(n, blockParam(p[1], 1))
      const overrides = stateOverrides(p[2], 2)
      const call = requireCall(n.vm)
      const state = await n.scratchState(block)
      await applyOverrides(state, overrides)
      const result = await n.exclusive(() =>
        call({ ...req, gas: req.gas ?? block.header.gasLimit }, state, blockContext(n, block)),
      )
      if (result.status !== 'success') throw revertError(result)
      return result.returnData
    },
    eth_estimateGas: async (p) => {
      arity(p, 1, 3)
      const req = callRequest(p[0], 0)
      const block = await mustFindBlock(n, blockParam(p[1], 1))
      return q(await estimateGas(n, req, block, stateOverrides(p[2], 2)))
    },
    eth_sendRawTransaction: async (p) => {
      arity(p, 1)
      const hex = data(p[0], 0, 'raw transaction')
      // Buffer's hex decoder is native; the bytes are validated hex already.
      const buf = Buffer.from(hex.slice(2), 'hex')
      return n.submit(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength))
    },
    eth_getTransactionByHash: async (p) => {
      arity(p, 1)
      const hash = hash32(p[0], 0)
      const loc = await n.store.getTxLocation(hash)
      if (loc) {
        const block = await n.store.getBlockByHash(loc.blockHash)
        const receipts = await n.store.getReceipts(loc.blockHash)
        if (block && receipts) return formatTx(n, block, receipts, loc.index)
      }
      const tx = n.unsealed(hash) ?? n.sequencer.mempool.get(hash)
      return tx ? formatAnyTx(n, tx.raw, { hash: tx.hash, from: tx.sender }) : null
    },
    eth_getTransactionReceipt: async (p) => {
      arity(p, 1)
      const hash = hash32(p[0], 0)
      // Admitted and not yet written: no receipt, and no Db read for the receipt polling of pending transactions.
      const loc = n.store.recentTxLocation(hash) ?? (n.unsealed(hash) ? undefined : await n.store.getTxLocation(hash))
      if (!loc) return null
      const block = await n.store.getBlockByHash(loc.blockHash)
      const receipts = await n.store.getReceipts(loc.blockHash)
      if (!block || !receipts) return null
      let logIndex = 0
      for (let i = 0; i < loc.index; i++) logIndex += receipts[i]!.logs.length
      return formatReceipt(receipts[loc.index]!, { hash: block.hash, number: block.header.number }, logIndex)
    },
    eth_getBlockByNumber: async (p) => {
      arity(p, 1, 2)
      const sel = blockParam(p[0], 0)
      const full = bool(p[1], 1, 'full transactions flag')
      const block = await findBlock(n, sel)
      return block ? blockJson(n, block, full) : null
    },
    eth_getBlockByHash: async (p) => {
      arity(p, 1, 2)
      const hash = hash32(p[0], 0)
      const full = bool(p[1], 1, 'full transactions flag')
      const block = await n.store.getBlockByHash(hash)
      return block ? blockJson(n, block, full) : null
    },
    eth_getBlockReceipts: async (p) => {
      arity(p, 1)
      const block = await findBlock(n, blockParam(p[0], 0))
      if (!block) return null
      return receiptsJson(block, (await n.store.getReceipts(block.hash)) ?? [])
    },
    eth_getBlockTransactionCountByNumber: async (p) => {
      arity(p, 1)
      const block = await findBlock(n, blockParam(p[0], 0))
      return block ? q(block.txHashes.length) : null
    },
    eth_getBlockTransactionCountByHash: async (p) => {
      arity(p, 1)
      const block = await n.store.getBlockByHash(hash32(p[0], 0))
      return block ? q(block.txHashes.length) : null
    },
    eth_getTransactionByBlockNumberAndIndex: async (p) => {
      arity(p, 2)
      const sel = blockParam(p[0], 0)
      const i = Number(quantity(p[1], 1, 'index'))
      const block = await findBlock(n, sel)
      if (!block || i >= block.txHashes.length) return null
      return formatTx(n, block, (await n.store.getReceipts(block.hash)) ?? [], i)
    },
    eth_getTransactionByBlockHashAndIndex: async (p) => {
      arity(p, 2)
      const hash = hash32(p[0], 0)
      const i = Number(quantity(p[1], 1, 'index'))
      const block = await n.store.getBlockByHash(hash)
      if (!block || i >= block.txHashes.length) return null
      return formatTx(n, block, (await n.store.getReceipts(block.hash)) ?? [], i)
    },
    eth_getUncleCountByBlockNumber: () => '0x0',
    eth_getUncleCountByBlockHash: () => '0x0',
    eth_getLogs: async (p) => {
      arity(p, 1)
      return getLogs(n, filterParams(p[0], 0))
    },
    eth_newFilter: async (p) => {
      arity(p, 1)
      const f = filterParams(p[0], 0)
      if (f.blockHash) throw new RpcInvalidParamsError({ index: 0, reason: 'filters cannot use blockHash' })
      return n.events.newFilter({ kind: 'logs', filter: logFilterOf(f) })
    },
    eth_newBlockFilter: () => n.events.newFilter({ kind: 'block' }),
    eth_newPendingTransactionFilter: () => n.events.newFilter({ kind: 'pending' }),
    eth_getFilterChanges: (p) => {
      arity(p, 1)
      return n.events.changes(String(p[0]))
    },
    eth_getFilterLogs: async (p) => {
      arity(p, 1)
      const f = n.events.filter(String(p[0]))
      if (f.kind !== 'logs') throw new RpcInvalidParamsError({ index: 0, reason: 'not a log filter' })
      const sel = (b: bigint | undefined): BlockSelector => (b === undefined ? { tag: 'latest' } : { number: b })
      return getLogs(n, {
        fromBlock: sel(f.filter.fromBlock),
        toBlock: sel(f.filter.toBlock),
        addresses: f.filter.addresses,
        topics: f.filter.topics,
      })
    },
    eth_uninstallFilter: (p) => {
      arity(p, 1)
      return n.events.uninstall(String(p[0]))
    },
    eth_subscribe: (p, ctx) => {
      if (!ctx.connection) {
        throw new RpcMethodNotFoundError({ method: ctx.method, reason: 'Subscriptions need a WebSocket connection.' })
      }
      arity(p, 1, 2)
      if (typeof p[0] !== 'string')
        throw new RpcInvalidParamsError({ index: 0, reason: 'subscription type must be a string' })
      return n.events.subscribe(ctx.connection, p[0], p[1], (v) => logFilterOf(filterParams(v ?? {}, 1)))
    },
    eth_unsubscribe: (p, ctx) => {
      if (!ctx.connection) {
        throw new RpcMethodNotFoundError({ method: ctx.method, reason: 'Subscriptions need a WebSocket connection.' })
      }
      arity(p, 1)
      return n.events.unsubscribe(ctx.connection, String(p[0]))
    },
    eth_getProof: async (p) => {
      arity(p, 2, 3)
      const addr = address(p[0], 0)
      if (!Array.isArray(p[1])) throw new RpcInvalidParamsError({ index: 1, reason: 'storage keys must be an array' })
      const slots = (p[1] as unknown[]).map((k) => slot(k, 1))
      const state = await n.readState(await mustFindBlock(n, blockParam(p[2], 2)))
      const proof = await state.getProof(addr, slots)
      return {
        address: proof.address,
        accountProof: proof.accountProof,
        balance: q(proof.balance),
        codeHash: proof.codeHash,
        nonce: q(proof.nonce),
        storageHash: proof.storageHash,
        storageProof: proof.storageProof.map((s) => ({ key: s.key, value: q(s.value), proof: s.proof })),
      }
    },

    appchain_getPreconfirmation: (p) => {
      arity(p, 1)
      const pc = n.preconfirmation(hash32(p[0], 0))
      return pc ? preconfJson(pc) : null
    },
    appchain_subscribe: (p, ctx) => methods.eth_subscribe!(p, { ...ctx, method: 'appchain_subscribe' }),
    appchain_unsubscribe: (p, ctx) => methods.eth_unsubscribe!(p, { ...ctx, method: 'appchain_unsubscribe' }),
    appchain_nodeInfo: () => n.info(),

    admin_nodeInfo: () => n.info(),
    admin_peers: () => [],
    /** Seals a block now with whatever is pending (tests, scripts). */
    admin_buildBlock: async () => {
      const sealed = await n.sequencer.buildNow()
      return sealed ? sealed.block.hash : null
    },
    debug_getRawTransaction: async (p) => {
      arity(p, 1)
      const hash = hash32(p[0], 0)
      const loc = await n.store.getTxLocation(hash)
      if (loc) {
        const block = await n.store.getBlockByHash(loc.blockHash)
        const raw = block?.transactions[loc.index - block.deposits.length]
        if (raw) return bytesToHex(raw)
      }
      const tx = n.unsealed(hash) ?? n.sequencer.mempool.get(hash)
      return tx ? bytesToHex(tx.raw) : null
    },
    debug_getRawReceipts: async (p) => {
      arity(p, 1)
      const block = await mustFindBlock(n, blockParam(p[0], 0))
      return receiptsJson(block, (await n.store.getReceipts(block.hash)) ?? [])
    },
  }

  // VM-specific methods, under appchain_.
  for (const [name, handler] of Object.entries(n.vm.rpc ?? {})) {
    const method = name.startsWith('appchain_') ? name : `appchain_${name}`
    methods[method] = async (p) => handler(p, { state: await n.readState(head(n)), chainId: n.chainId })
  }
  return methods
}
