import type { MessagePort } from 'node:worker_threads'
import type {
  Account,
  Address,
  BlockFees,
  ChargeContext,
  GasModel,
  Hex,
  PortableGasModel,
  TxEnvelope,
} from '@appchain/core'
import { BaseError, KECCAK_EMPTY, ZERO_HASH } from '@appchain/core'
import { type AccountShard, serveShard } from '@appchain/state'
import { type BatchResult, batchResultWriter, execTxAt } from './batch.js'
import { createExecutor, type ExecEnv, type ProgramInfo, recordKey } from './executor.js'
import { type PackedItems, unpackItems } from './packed.js'
import { decodeRecord, encodeRecord, joinWords, recordSlot, recordWords } from './record.js'
import type { Sandbox } from './sandbox.js'

/** A VM worker starts serving one shard of a state (`openState`): the port's other end is the state's. */
export interface HostShardTask {
  op: 'hostShard'
  state: number
  port: MessagePort
  nibbles: number[]
}

/** The transactions one worker executes, in block order, as columns. */
export interface ShardTxs {
  /** Each transaction's position in the block. */
  index: Int32Array
  sender: Address[]
  /** Transaction k's declared accounts: `accounts[accessStart[k] .. accessStart[k + 1]]`, reads first. */
  accounts: Address[]
  accessStart: Uint32Array
  readCount: Uint16Array
  /** `program` and `method` of transaction k: `calls[2 * call[k]]`, `calls[2 * call[k] + 1]`. */
  calls: string[]
  call: Uint16Array
  hash: Hex[]
  nonce: bigint[]
  gasLimit: bigint[]
  maxFeePerGas: bigint[]
  maxPriorityFeePerGas: bigint[]
  /** Transactions (position) bidding in a fee token. */
  feeToken: [number, Address][]
  intrinsicGas: bigint[]
  argsJson: string[]
  raw: PackedItems
}

/**
 * Round 1: the receiving worker's share of the block, split by the main thread: its own transactions, and every
 * occurrence (in block order) of an account it owns in any transaction, with the worker whose transaction needs
 * it. The worker loads each such account and record once and answers, per peer, the current values of those the
 * peer's transactions need.
 */
export interface ShardPrepareTask {
  op: 'shardPrepare'
  state: number
  self: number
  workers: number
  /** Occurrence k: account `need[k]`, needed by worker `needBy[k]`, with program `recordPrograms[needRecord[k] - 1]`'s record when `needRecord[k] > 0`. */
  need: Address[]
  needBy: Uint8Array
  needRecord: Uint16Array
  recordPrograms: string[]
  mine: ShardTxs
}

/** Accounts and records one worker owns, as another worker's transactions need them (pre-block values). */
export interface ShardExport {
  /** The worker that owns them (its shard holds them). */
  from: number
  address: Address[]
  nonce: bigint[]
  balance: bigint[]
  /** Accounts (position) with code: most have none, and a hash per account would cross as a string each. */
  codeHash: [number, Hex][]
  /** `program|account`, the record's entries, and how many storage words it takes now. */
  records: [string, [string, bigint][], number][]
}

/** Round 2: the peers' exports for this worker, and what phases 1 and 3 need of the block. */
export interface ShardExecuteTask {
  op: 'shardExecute'
  state: number
  /** This worker's index. */
  self: number
  imports: ShardExport[]
  env: ExecEnv
  coinbase: Address
  fees: BlockFees
  gas: PortableGasModel
}

/**
 * Accounts (and records' storage words) of this worker's shard that a peer's transactions changed, forwarded by
 * the main thread after round 2: written into the shard and applied (`applyShardWrites`).
 */
export interface ShardApplyTask {
  op: 'shardApply'
  state: number
  address: Address[]
  nonce: bigint[]
  balance: bigint[]
  /** Accounts (position) with code. */
  codeHash: [number, Hex][]
  storage: [Address, [Hex, Hex][]][]
}

/**
 * Why phase 1 excluded a transaction: 1 nonce too low, 2 nonce too high (value: the expected nonce), 3 the
 * gas model's upfront threw (the main thread asks its own model again: same model, same error), 4 a fee token
 * (token), 5 insufficient funds (value: the payer's balance, amount: the hold).
 */
export type ExcludedStage = 1 | 2 | 3 | 4 | 5

/** Why phase 1 excluded one of the worker's transactions, with the values its typed error carries. */
export interface ShardExcluded {
  stage: ExcludedStage
  /** Stage 3: the model's error, for a check on the main thread. */
  name?: string
  message?: string
  /** Stages 1, 2: the expected nonce; stage 5: the payer's balance. */
  value?: bigint
  /** Stage 5: the hold and its payer. */
  amount?: bigint
  payer?: Address
  /** Stage 4: the fee token. */
  token?: Address
}

/**
 * What a worker's share of the block did, as columns over its own transactions (the prepare task's `mine`, in
 * block order): their outcomes, the accounts and records it changed, and the fee credits.
 */
export interface ShardExecResult {
  /** Per own transaction: 0 when accepted, else why phase 1 excluded it. */
  stage: Uint8Array
  /** The excluded transactions' details, in order. */
  excluded: ShardExcluded[]
  /** The accepted transactions' programs (status, error, logs), in order, as a batch's columns. */
  programs: BatchResult
  /** Per accepted transaction: the receipt's price and DA fee. */
  effectiveGasPrice: bigint[]
  l1Fee: (bigint | undefined)[]
  /** Accepted transactions (position among them) whose fee payer is not the sender. */
  payers: [number, Address][]
  /** Accepted transactions (position among them) the model charged more than it held (the main thread throws). */
  overcharged: number[]
  address: Address[]
  nonce: bigint[]
  balance: bigint[]
  /** Changed accounts (position) with code. */
  codeHash: [number, Hex][]
  /**
   * Per changed account, the worker whose shard owns it. This worker wrote its own into its shard and queued that
   * shard's root; the main thread forwards the others to their owners (`shardApply`), then adopts them all
   * (`adoptShardWrites`): the state's root does not send them back.
   */
  owner: Uint8Array
  /** Per account with changed records: the storage words to write, in the reference flush's order. */
  storage: [Address, [Hex, Hex][]][]
  /** Per `storage` entry, the worker whose shard owns the account (as `owner`). */
  storageOwner: Uint8Array
  /** Fee credits (non-zero), summed per recipient: the main thread adds them after every worker finished. */
  credits: [Address, bigint][]
}

/** An account of the block; `owner`: the worker whose shard holds it (this one, or the peer that exported it). */
type Slot = { account: Account; dirty: boolean; owner: number }
type Rec = { value: ReadonlyMap<string, bigint>; words: number; dirty: boolean }

interface Hosted {
  shard: AccountShard
  owned: Uint8Array
  /** The block being executed: this worker's transactions and the owned state loaded in round 1. */
  block?: { mine: ShardTxs; accounts: Map<Address, Slot>; records: Map<string, Rec> } | undefined
}

const hosted = new Map<number, Hosted>()

/**
 * Serves a shard of state `task.state` on `task.port` in this thread and keeps it for the block rounds; it is
 * dropped when the port closes (the state's `close()`).
 */
export function hostShard(task: HostShardTask): void {
  const shard = serveShard(task.port, { nibbles: task.nibbles })
  const owned = new Uint8Array(16)
  for (const n of task.nibbles) owned[n] = 1
  hosted.set(task.state, { shard, owned })
  task.port.on('close', () => hosted.delete(task.state))
}

function hostedState(state: number): Hosted {
  const h = hosted.get(state)
  if (h === undefined) throw new Error(`No shard of state ${state} in this worker (closed, or the worker restarted)`)
  return h
}

const EMPTY: Account = { nonce: 0n, balance: 0n, codeHash: KECCAK_EMPTY }

/**
 * Round 1 (see `ShardPrepareTask`): loads what this worker owns of the block's accounts and records, and
 * returns one export per worker (undefined for itself and for peers needing nothing of it).
 */
export async function prepareShardBlock(task: ShardPrepareTask): Promise<(ShardExport | undefined)[]> {
  const h = hostedState(task.state)
  const { shard } = h
  const { need, needBy, needRecord, recordPrograms, self } = task
  // Each account and record once, in first-need order; per peer, the positions it needs, once each.
  const ids = new Map<Address, number>()
  const load: Address[] = []
  const sent: number[] = []
  const recIds = new Map<string, number>()
  const recordProgram: number[] = []
  const recordAccount: number[] = []
  const recSent: number[] = []
  const exports = Array.from({ length: task.workers }, () => ({ accounts: [] as number[], records: [] as number[] }))
  for (let k = 0; k < need.length; k++) {
    const a = need[k]!
    const w = needBy[k]!
    let id = ids.get(a)
    if (id === undefined) {
      id = load.length
      ids.set(a, id)
      load.push(a)
      sent.push(0)
    }
    if (w !== self && (sent[id]! & (1 << w)) === 0) {
      sent[id]! |= 1 << w
      exports[w]!.accounts.push(id)
    }
    const rp = needRecord[k]!
    if (rp === 0) continue
    const key = recordKey(recordPrograms[rp - 1]!, a)
    let r = recIds.get(key)
    if (r === undefined) {
      r = recordAccount.length
      recIds.set(key, r)
      recordProgram.push(rp - 1)
      recordAccount.push(id)
      recSent.push(0)
    }
    if (w !== self && (recSent[r]! & (1 << w)) === 0) {
      recSent[r]! |= 1 << w
      exports[w]!.records.push(r)
    }
  }
  const nr = recordAccount.length
  // Accounts and records' length words in one read, then the records' words in another.
  const lengthSlots: [Address, Hex][] = new Array(nr)
  for (let r = 0; r < nr; r++)
    lengthSlots[r] = [load[recordAccount[r]!]!, recordSlot(recordPrograms[recordProgram[r]!]!, 0)]
  // After this shard's previous root (perhaps still hashing: `executeShardBlock`), as any call to it.
  await shard.exclusive(() => shard.load(load, lengthSlots))
  const wordSlots: [Address, Hex][] = []
  const lengths: number[] = new Array(nr)
  for (let r = 0; r < nr; r++) {
    const [a, slot] = lengthSlots[r]!
    const program = recordPrograms[recordProgram[r]!]!
    const length = Number(BigInt(shard.getStorage(a, slot)))
    lengths[r] = length
    for (let k = 1; k <= Math.ceil(length / 32); k++) wordSlots.push([a, recordSlot(program, k)])
  }
  if (wordSlots.length > 0) await shard.exclusive(() => shard.load([], wordSlots))
  const slots = new Map<Address, Slot>()
  const loaded: Account[] = new Array(load.length)
  for (let j = 0; j < load.length; j++) {
    const account = shard.getAccount(load[j]!) ?? { ...EMPTY }
    loaded[j] = account
    slots.set(load[j]!, { account, dirty: false, owner: self })
  }
  const recs = new Map<string, Rec>()
  const recKeys: string[] = new Array(nr)
  for (let r = 0; r < nr; r++) {
    const program = recordPrograms[recordProgram[r]!]!
    const a = load[recordAccount[r]!]!
    const length = lengths[r]!
    const count = Math.ceil(length / 32)
    const words: Hex[] = new Array(count)
    for (let k = 1; k <= count; k++) words[k - 1] = shard.getStorage(a, recordSlot(program, k))
    const key = recordKey(program, a)
    recKeys[r] = key
    recs.set(key, { value: decodeRecord(joinWords(words, length)), words: count, dirty: false })
  }
  h.block = { mine: task.mine, accounts: slots, records: recs }
  return exports.map((p, w) => {
    if (w === self || p.accounts.length === 0) return undefined
    const m = p.accounts.length
    const out: ShardExport = {
      from: self,
      address: new Array(m),
      nonce: new Array(m),
      balance: new Array(m),
      codeHash: [],
      records: [],
    }
    for (let k = 0; k < m; k++) {
      const j = p.accounts[k]!
      const acc = loaded[j]!
      out.address[k] = load[j]!
      out.nonce[k] = acc.nonce
      out.balance[k] = acc.balance
      if (acc.codeHash !== KECCAK_EMPTY) out.codeHash.push([k, acc.codeHash])
    }
    for (const r of p.records) {
      const rec = recs.get(recKeys[r]!)!
      out.records.push([recKeys[r]!, [...rec.value], rec.words])
    }
    return out
  })
}

/**
 * Writes a peer's changes to this worker's accounts (`ShardApplyTask`) into its shard and applies them, queued
 * on the shard (`exclusive`) after what is already there, and answers once queued: the state's next root, sent
 * after the answer, waits for it in the same queue. A failure fails the shard (its next call refuses).
 */
export function applyShardWrites(task: ShardApplyTask): void {
  const { shard } = hostedState(task.state)
  const codeHashes = new Map(task.codeHash)
  shard
    .exclusive(() => {
      for (let j = 0; j < task.address.length; j++)
        shard.putAccount(task.address[j]!, {
          nonce: task.nonce[j]!,
          balance: task.balance[j]!,
          codeHash: codeHashes.get(j) ?? KECCAK_EMPTY,
        })
      for (const [a, entries] of task.storage) for (const [slot, value] of entries) shard.putStorage(a, slot, value)
      return shard.applyRoot()
    })
    .catch(() => {})
}

// Each distinct portable spec is built once per worker (the import and the factory call), then reused.
const models = new Map<string, Promise<GasModel>>()

/** The gas model a portable spec describes, built in this thread: `(await import(module))[factory](config)`. */
export function portableModel(spec: PortableGasModel): Promise<GasModel> {
  const key = JSON.stringify(spec, (_, v) => (typeof v === 'bigint' ? `${v}n` : v))
  let m = models.get(key)
  if (m === undefined) {
    m = (async () => {
      const factory = ((await import(spec.module)) as Record<string, unknown>)[spec.factory]
      if (typeof factory !== 'function') throw new TypeError(`Gas model module ${spec.module} has no ${spec.factory}`)
      return (await factory(spec.config)) as GasModel
    })()
    models.set(key, m)
  }
  return m
}

const word = (v: bigint): Hex => `0x${v.toString(16).padStart(64, '0')}`

/**
 * Round 2 (see `ShardExecuteTask`): this worker's transactions, phase 1 (nonces, holds) in block order, then
 * their programs, then phase 3 (charges, refunds), on the owned state loaded in round 1 plus the peers'
 * exports. Returns the outcomes and the changed accounts and records; fee credits are summed, not applied.
 */
export async function executeShardBlock(
  task: ShardExecuteTask,
  sandbox: Sandbox,
  infos: ReadonlyMap<string, ProgramInfo>,
): Promise<ShardExecResult> {
  const h = hostedState(task.state)
  const block = h.block
  if (block === undefined) throw new Error(`State ${task.state}: shardExecute before shardPrepare`)
  h.block = undefined
  const { accounts, records } = block
  for (const ex of task.imports) {
    for (let i = 0; i < ex.address.length; i++) {
      const account = { nonce: ex.nonce[i]!, balance: ex.balance[i]!, codeHash: KECCAK_EMPTY }
      accounts.set(ex.address[i]!, { account, dirty: false, owner: ex.from })
    }
    for (const [i, codeHash] of ex.codeHash) accounts.get(ex.address[i]!)!.account.codeHash = codeHash
    for (const [key, entries, words] of ex.records) records.set(key, { value: new Map(entries), words, dirty: false })
  }
  const dirty: Address[] = []
  const slotOf = (a: Address): Slot => {
    const s = accounts.get(a)
    if (s === undefined) throw new Error(`Sharded block: account ${a} was not prepared for this worker`)
    return s
  }
  const touch = (a: Address, s: Slot) => {
    if (s.dirty) return
    s.dirty = true
    dirty.push(a)
  }
  const setBalance = (a: Address, v: bigint) => {
    const s = slotOf(a)
    s.account.balance = v
    touch(a, s)
  }
  const gas = await portableModel(task.gas)
  const ctx: ChargeContext = {
    blockNumber: task.env.blockNumber,
    coinbase: task.coinbase,
    fees: task.fees,
    balanceOf: async (a) => slotOf(a.toLowerCase() as Address).account.balance,
    peekBalance: (a) => accounts.get(a.toLowerCase() as Address)?.account.balance,
    store: {
      get: () => Promise.reject(new Error('A portable gas model has no store')),
      set: () => Promise.reject(new Error('A portable gas model has no store')),
    },
  }

  const { mine } = block
  const raws = unpackItems(mine.raw)
  const n = mine.index.length
  const feeTokens = new Map(mine.feeToken)
  const stage = new Uint8Array(n)
  const excluded: ShardExcluded[] = []
  const exclude = (k: number, ex: ShardExcluded) => {
    stage[k] = ex.stage
    excluded.push(ex)
  }
  const envelopes: TxEnvelope[] = new Array(n)
  const holds: { payer: Address; amount: bigint }[] = new Array(n)
  // Phase 1, in block order.
  for (let k = 0; k < n; k++) {
    const sender = mine.sender[k]!
    const tx: TxEnvelope = {
      hash: mine.hash[k]!,
      raw: raws[k]!,
      sender,
      nonce: mine.nonce[k]!,
      gasLimit: mine.gasLimit[k]!,
      fee: { maxFeePerGas: mine.maxFeePerGas[k]!, maxPriorityFeePerGas: mine.maxPriorityFeePerGas[k]! },
      size: raws[k]!.length,
    }
    const feeToken = feeTokens.get(k)
    if (feeToken !== undefined) tx.fee.feeToken = feeToken
    envelopes[k] = tx
    const s = slotOf(sender)
    const expected = s.account.nonce
    if (tx.nonce !== expected) {
      exclude(k, { stage: tx.nonce < expected ? 1 : 2, value: expected })
      continue
    }
    let up: { payer: Address; amount: bigint; token?: Address | undefined }
    try {
      up = gas.upfrontSync?.(tx, ctx) ?? (await gas.upfront(tx, ctx))
    } catch (e) {
      if (!(e instanceof BaseError)) throw e
      exclude(k, { stage: 3, name: e.name, message: e.message })
      continue
    }
    if (up.token !== undefined) {
      gas.release?.(tx, ctx)
      exclude(k, { stage: 4, token: up.token })
      continue
    }
    const payer = up.payer.toLowerCase() as Address
    const p = slotOf(payer)
    if (p.account.balance < up.amount) {
      gas.release?.(tx, ctx)
      exclude(k, { stage: 5, value: p.account.balance, amount: up.amount, payer })
      continue
    }
    setBalance(payer, p.account.balance - up.amount)
    s.account.nonce = expected + 1n
    touch(sender, s)
    holds[k] = { payer, amount: up.amount }
  }

  // Phase 2: the programs, with the declared accounts as the transactions signed them.
  const store = {
    balance: (a: Address) => accounts.get(a)?.account.balance,
    record: (p: string, a: Address) => records.get(recordKey(p, a))?.value,
  }
  const run = createExecutor(sandbox, infos, store, task.env, 'locks')
  const programs = batchResultWriter(n - excluded.length)
  let j = 0
  for (let k = 0; k < n; k++) {
    if (holds[k] === undefined) continue
    const tx = execTxAt(mine, k)
    const o = run(tx)
    if (o.miss)
      throw new Error(`Sharded block: transaction ${tx.index} needs ${o.miss.account}, which was not prepared`)
    programs.add(j++, o)
    if (o.status !== 'success') continue
    for (const [a, v] of o.balances) setBalance(a, v)
    for (const [key, m] of o.records) {
      const rec = records.get(key)
      if (rec === undefined) throw new Error(`Sharded block: record ${key} was not prepared`)
      rec.value = new Map(m)
      rec.dirty = true
      const a = key.slice(key.indexOf('|') + 1) as Address
      touch(a, slotOf(a))
    }
  }

  // Phase 3, in block order: the final fee, the refund to the payer; credits summed for the main thread.
  const credits = new Map<Address, bigint>()
  const effectiveGasPrice: bigint[] = []
  const l1Fee: (bigint | undefined)[] = []
  const payers: [number, Address][] = []
  const overcharged: number[] = []
  for (let k = 0; k < n; k++) {
    const hold = holds[k]
    if (hold === undefined) continue
    const tx = envelopes[k]!
    const gasUsed = mine.intrinsicGas[k]!
    const charge = gas.chargeSync?.(tx, gasUsed, ctx) ?? (await gas.charge(tx, gasUsed, ctx))
    const at = effectiveGasPrice.length
    if (hold.payer !== tx.sender) payers.push([at, hold.payer])
    effectiveGasPrice.push(charge.effectiveGasPrice)
    l1Fee.push(charge.l1Fee)
    const refund = hold.amount - charge.amount
    if (refund < 0n) {
      overcharged.push(at)
      continue
    }
    if (refund > 0n) setBalance(hold.payer, slotOf(hold.payer).account.balance + refund)
    for (const c of charge.credits) {
      if (c.amount === 0n) continue
      const to = c.to.toLowerCase() as Address
      credits.set(to, (credits.get(to) ?? 0n) + c.amount)
    }
  }

  const result: ShardExecResult = {
    stage,
    excluded,
    programs: programs.finish(),
    effectiveGasPrice,
    l1Fee,
    payers,
    overcharged,
    address: dirty,
    nonce: new Array(dirty.length),
    balance: new Array(dirty.length),
    codeHash: [],
    owner: new Uint8Array(dirty.length),
    storage: [],
    storageOwner: new Uint8Array(0),
    credits: [...credits],
  }
  // The accounts this worker owns go straight into its shard (the others travel through the main thread).
  const { shard } = h
  for (let j = 0; j < dirty.length; j++) {
    const slot = accounts.get(dirty[j]!)!
    const acc = slot.account
    result.nonce[j] = acc.nonce
    result.balance[j] = acc.balance
    if (acc.codeHash !== KECCAK_EMPTY) result.codeHash.push([j, acc.codeHash])
    result.owner[j] = slot.owner
    if (slot.owner === task.self) shard.putAccount(dirty[j]!, acc)
  }
  // Records as BlockState.flush writes them: the length word, the words, zeros over the words it no longer takes.
  const byAccount = new Map<Address, [Hex, Hex][]>()
  for (const [key, rec] of records) {
    if (!rec.dirty) continue
    const bar = key.indexOf('|')
    const program = key.slice(0, bar)
    const a = key.slice(bar + 1) as Address
    const bytes = encodeRecord(rec.value)
    const words = recordWords(bytes)
    let entries = byAccount.get(a)
    if (entries === undefined) {
      entries = []
      byAccount.set(a, entries)
      result.storage.push([a, entries])
    }
    entries.push([recordSlot(program, 0), word(BigInt(bytes.length))])
    for (let k = 0; k < words.length; k++) entries.push([recordSlot(program, k + 1), words[k]!])
    for (let k = words.length; k < rec.words; k++) entries.push([recordSlot(program, k + 1), ZERO_HASH])
  }
  result.storageOwner = new Uint8Array(result.storage.length)
  for (let i = 0; i < result.storage.length; i++) {
    const [a, entries] = result.storage[i]!
    const owner = accounts.get(a)!.owner
    result.storageOwner[i] = owner
    if (owner === task.self) for (const [slot, value] of entries) shard.putStorage(a, slot, value)
  }
  // This shard's subtries and storage tries hashed here, in parallel with the other workers and, as the result goes
  // back first, with the main thread adopting it: the shard's queue holds the state's next root (which sends it
  // only what the main thread writes after) until it ends. A failure fails the shard: its next call refuses.
  shard.exclusive(() => shard.applyRoot()).catch(() => {})
  return result
}
