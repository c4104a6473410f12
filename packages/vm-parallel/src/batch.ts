import type { Address, Log } from '@appchain/core'
import {
  createExecutor,
  type ExecEnv,
  type ExecTx,
  type ExecutionMode,
  type ProgramInfo,
  recordKey,
  type TxOutcome,
} from './executor.js'
import type { Sandbox } from './sandbox.js'

/**
 * One batch of transactions for one thread, with the state slice they declared, as columns: a worker
 * message is a few arrays (one structured clone each) instead of thousands of small objects.
 */
export interface BatchTask {
  mode: ExecutionMode
  env: ExecEnv
  /** Block index of each transaction, ascending. */
  index: Int32Array
  /** `program` and `method` of transaction i: `calls[2 * call[i]]` and `calls[2 * call[i] + 1]`. */
  calls: string[]
  call: Uint16Array
  argsJson: string[]
  sender: Address[]
  /**
   * Declared accounts of every transaction, concatenated: transaction i's reads are
   * `accounts[accessStart[i] .. accessStart[i] + readCount[i]]`, its writes follow up to `accessStart[i + 1]`.
   */
  accounts: Address[]
  accessStart: Uint32Array
  readCount: Uint16Array
  /** Balances of every declared account. */
  balanceAccounts: Address[]
  balanceValues: bigint[]
  /** `program|account` to record entries. */
  records: [string, [string, bigint][]][]
}

/** The columns that describe a batch's (or a shard's share of a block's) transactions; see `BatchTask`. */
export type TxColumns = Pick<
  BatchTask,
  'index' | 'calls' | 'call' | 'argsJson' | 'sender' | 'accounts' | 'accessStart' | 'readCount'
>

/** Transaction `i` of `cols`, as the executor takes it. */
export function execTxAt(cols: TxColumns, i: number): ExecTx {
  const s = cols.accessStart[i]!
  const r = s + cols.readCount[i]!
  const c = cols.call[i]!
  return {
    index: cols.index[i]!,
    program: cols.calls[2 * c]!,
    method: cols.calls[2 * c + 1]!,
    argsJson: cols.argsJson[i]!,
    sender: cols.sender[i]!,
    reads: cols.accounts.slice(s, r),
    writes: cols.accounts.slice(r, cols.accessStart[i + 1]!),
  }
}

/**
 * Numbers (program, method) pairs in order of first use, appending each new pair to `calls`: the id of a call is
 * `c` with `calls[2 * c]` its program and `calls[2 * c + 1]` its method.
 */
export function callIds(calls: string[]): (program: string, method: string) => number {
  const ids = new Map<string, number>()
  return (program, method) => {
    const key = `${program}\u0000${method}`
    let c = ids.get(key)
    if (c === undefined) {
      c = ids.size
      ids.set(key, c)
      calls.push(program, method)
    }
    return c
  }
}

/** What one transaction of a batch did, as the main thread uses it. */
export interface BatchTxResult {
  index: number
  status: 'success' | 'reverted'
  error?: { name: string; message: string } | undefined
  logs: Log[]
  /** Optimistic: the slice lacked state this transaction needs. */
  miss?: boolean | undefined
  /** Optimistic: each location read and the block index of the transaction whose write it saw (-1: pre-block). */
  reads?: [string, number][] | undefined
  /** Optimistic: this transaction's own writes. */
  balances?: [Address, bigint][] | undefined
  records?: [string, [string, bigint][]][] | undefined
  /** Optimistic: times it ran again after validation (set by the main thread). */
  reexecutions?: number | undefined
}

/** A batch's outcome, as columns (see `batchResults` for the per-transaction view). */
export interface BatchResult {
  /** 1 where the transaction succeeded. */
  ok: Uint8Array
  /** Reverted transactions' errors: position in the batch, name, message. */
  errorAt: number[]
  errorName: string[]
  errorMessage: string[]
  /**
   * Logs of transaction i are the next `logCount[i]` logs; log j has `topicCount[j]` topics. Addresses and
   * topics repeat from log to log, so they are indices into `logStrings` (each string crosses once).
   */
  logCount: Uint32Array
  logStrings: string[]
  logAddress: Uint32Array
  topicCount: Uint8Array
  topics: Uint32Array
  /** Every log's data, joined by commas: one flat string crosses instead of a rope per log. */
  logData: string
  /**
   * Locking mode: final values of every location the batch wrote. `runBatch` names a written balance by its
   * position in the task's `balanceAccounts` (`writtenAt`, index for index with `balanceValues`: no address
   * crosses back) and leaves `balanceAccounts` empty; `batchWrites(out, task)` resolves either form.
   */
  balanceAccounts: Address[]
  balanceValues: bigint[]
  writtenAt?: Uint32Array | undefined
  records: [string, [string, bigint][]][]
  /** Optimistic mode: per transaction, what validation needs. */
  detail?: Pick<BatchTxResult, 'miss' | 'reads' | 'balances' | 'records'>[] | undefined
}

/**
 * Packs transactions (block order) and the state slice they declared into a `BatchTask`.
 *
 * @example
 * ```ts
 * const task = encodeBatch(txs, { mode: 'locks', env, balance: (a) => bs.balance(a)!, record: () => undefined })
 * ```
 */
export function encodeBatch(
  txs: readonly ExecTx[],
  opts: {
    mode: ExecutionMode
    env: ExecEnv
    balance: (a: Address) => bigint
    /** The record of `program` at `a` when the program keeps records, else undefined. */
    record: (program: string, a: Address) => ReadonlyMap<string, bigint> | undefined
    /** Whether `program` keeps records at all (default: ask `record` for every account). */
    keepsRecords?: ((program: string) => boolean) | undefined
    /**
     * The batch's distinct declared accounts with their balances, already gathered by the caller in the order
     * this function would (each account where a transaction's reads, then writes, first name it): used as they
     * are instead of `balance` and a set of the accounts seen.
     */
    slice?: { accounts: Address[]; values: bigint[] } | undefined
  },
): BatchTask {
  const n = txs.length
  const index = new Int32Array(n)
  const call = new Uint16Array(n)
  const accessStart = new Uint32Array(n + 1)
  const readCount = new Uint16Array(n)
  const calls: string[] = []
  const callOf = callIds(calls)
  const argsJson: string[] = new Array(n)
  const sender: Address[] = new Array(n)
  const accounts: Address[] = []
  const given = opts.slice
  const balanceAccounts: Address[] = given?.accounts ?? []
  const balanceValues: bigint[] = given?.values ?? []
  const seen = new Set<Address>()
  const records: [string, [string, bigint][]][] = []
  const seenRecords = new Set<string>()
  const add = (program: string, a: Address, keepsRecords: boolean) => {
    accounts.push(a)
    if (given === undefined && !seen.has(a)) {
      seen.add(a)
      balanceAccounts.push(a)
      balanceValues.push(opts.balance(a))
    }
    if (!keepsRecords) return
    const r = opts.record(program, a)
    if (r) {
      const k = recordKey(program, a)
      if (!seenRecords.has(k)) {
        seenRecords.add(k)
        records.push([k, [...r]])
      }
    }
  }
  // Consecutive transactions mostly call the same method: compare with the last call before any map lookup.
  let lastProgram = ''
  let lastMethod = ''
  let lastCall = -1
  let keepsRecords = false
  for (let i = 0; i < n; i++) {
    const tx = txs[i]!
    index[i] = tx.index
    if (tx.program !== lastProgram || tx.method !== lastMethod) {
      lastProgram = tx.program
      lastMethod = tx.method
      lastCall = callOf(tx.program, tx.method)
      keepsRecords = opts.keepsRecords?.(tx.program) ?? true
    }
    call[i] = lastCall
    argsJson[i] = tx.argsJson
    sender[i] = tx.sender
    accessStart[i] = accounts.length
    readCount[i] = tx.reads.length
    for (const a of tx.reads) add(tx.program, a, keepsRecords)
    for (const a of tx.writes) add(tx.program, a, keepsRecords)
  }
  accessStart[n] = accounts.length
  return {
    mode: opts.mode,
    env: opts.env,
    index,
    calls,
    call,
    argsJson,
    sender,
    accounts,
    accessStart,
    readCount,
    balanceAccounts,
    balanceValues,
    records,
  }
}

/**
 * Executes a batch in order on one thread against its slice; later transactions see earlier ones' writes.
 * The same code runs in workers and, for sequential execution, on the main thread.
 */
export function runBatch(sandbox: Sandbox, infos: ReadonlyMap<string, ProgramInfo>, task: BatchTask): BatchResult {
  // Each slice account's position in the task: locking mode reports its writes by position.
  const at = new Map<Address, number>()
  const values = task.balanceValues.slice()
  for (let i = 0; i < task.balanceAccounts.length; i++) at.set(task.balanceAccounts[i]!, i)
  const balances = new Map<Address, bigint>()
  const records = new Map<string, ReadonlyMap<string, bigint>>(task.records.map(([k, e]) => [k, new Map(e)]))
  const lastWriter = new Map<string, number>()
  // Optimistic mode: written accounts by address; locking mode: written positions, in order of first write.
  const writtenBalances = new Set<Address>()
  const written = new Uint8Array(values.length)
  const writtenAt: number[] = []
  const writtenRecords = new Set<string>()
  const store = {
    balance: (a: Address) => {
      const i = at.get(a)
      return i === undefined ? balances.get(a) : values[i]
    },
    record: (p: string, a: Address) => records.get(recordKey(p, a)),
  }
  const optimistic = task.mode === 'optimistic'
  const run = createExecutor(sandbox, infos, store, task.env, task.mode)
  const n = task.index.length
  const writer = batchResultWriter(n)
  const detail: BatchResult['detail'] = optimistic ? [] : undefined
  for (let i = 0; i < n; i++) {
    const tx = execTxAt(task, i)
    const o = run(tx)
    writer.add(i, o)
    if (optimistic) {
      detail!.push({
        miss: o.miss !== undefined,
        reads: [...o.reads].map((loc) => [loc, lastWriter.get(loc) ?? -1]),
        balances: [...o.balances],
        records: [...o.records].map(([k, m]) => [k, [...m]]),
      })
    }
    if (o.status === 'success') {
      for (const [a, v] of o.balances) {
        const p = at.get(a)
        if (!optimistic && p !== undefined) {
          values[p] = v
          if (written[p] === 0) {
            written[p] = 1
            writtenAt.push(p)
          }
          continue
        }
        // Optimistic writes, and (never in locking mode, which refuses undeclared writes) accounts outside the slice.
        if (p === undefined) balances.set(a, v)
        else values[p] = v
        writtenBalances.add(a)
        if (optimistic) lastWriter.set(`b${a}`, tx.index)
      }
      for (const [k, m] of o.records) {
        records.set(k, m)
        writtenRecords.add(k)
        if (optimistic) lastWriter.set(`r${k}`, tx.index)
      }
    }
  }
  const out = writer.finish()
  out.detail = detail
  if (!optimistic) {
    if (writtenBalances.size > 0) throw new Error('runBatch: a locking-mode batch wrote an account outside its slice')
    out.writtenAt = Uint32Array.from(writtenAt)
    for (let k = 0; k < writtenAt.length; k++) out.balanceValues.push(values[writtenAt[k]!]!)
    for (const k of writtenRecords) out.records.push([k, [...records.get(k)!]])
  }
  return out
}

/**
 * Writes transactions' outcomes (status, error, logs) into a `BatchResult`'s columns, one at a time in batch
 * order (`runBatch`, and the sharded pipeline's workers); `finish` returns the result with no writes listed.
 *
 * @example
 * ```ts
 * const w = batchResultWriter(txs.length)
 * for (let i = 0; i < txs.length; i++) w.add(i, run(txs[i]))
 * const out = w.finish()
 * ```
 */
export function batchResultWriter(n: number): {
  add(i: number, o: Pick<TxOutcome, 'status' | 'error' | 'logs'>): void
  finish(): BatchResult
} {
  const out: BatchResult = {
    ok: new Uint8Array(n),
    errorAt: [],
    errorName: [],
    errorMessage: [],
    logCount: new Uint32Array(n),
    logStrings: [],
    logAddress: new Uint32Array(0),
    topicCount: new Uint8Array(0),
    topics: new Uint32Array(0),
    logData: '',
    balanceAccounts: [],
    balanceValues: [],
    records: [],
  }
  const topicCounts: number[] = []
  const logAddress: number[] = []
  const topics: number[] = []
  const logData: string[] = []
  const stringIds = new Map<string, number>()
  const stringId = (v: string) => {
    let id = stringIds.get(v)
    if (id === undefined) {
      id = stringIds.size
      stringIds.set(v, id)
      out.logStrings.push(v)
    }
    return id
  }
  return {
    add(i, o) {
      if (o.status === 'success') out.ok[i] = 1
      else if (o.error) {
        out.errorAt.push(i)
        out.errorName.push(o.error.name)
        out.errorMessage.push(o.error.message)
      }
      out.logCount[i] = o.logs.length
      for (const l of o.logs) {
        logAddress.push(stringId(l.address))
        topicCounts.push(l.topics.length)
        for (const t of l.topics) topics.push(stringId(t))
        logData.push(l.data)
      }
    },
    finish() {
      out.topicCount = Uint8Array.from(topicCounts)
      out.logAddress = Uint32Array.from(logAddress)
      out.topics = Uint32Array.from(topics)
      out.logData = logData.join(',')
      return out
    },
  }
}

/**
 * The per-transaction view of a batch's columns, in the batch's order.
 *
 * @example
 * ```ts
 * for (const r of batchResults(task, await worker.run(task))) results[r.index] = r
 * ```
 */
export function batchResults(task: Pick<BatchTask, 'index'>, out: BatchResult): BatchTxResult[] {
  const n = task.index.length
  const results: BatchTxResult[] = new Array(n)
  let e = 0
  let l = 0
  let t = 0
  const logData = out.logData === '' && out.logAddress.length === 0 ? [] : out.logData.split(',')
  for (let i = 0; i < n; i++) {
    const count = out.logCount[i]!
    const logs: Log[] = new Array(count)
    for (let j = 0; j < count; j++, l++) {
      const tc = out.topicCount[l]!
      const topics: `0x${string}`[] = new Array(tc)
      for (let k = 0; k < tc; k++) topics[k] = out.logStrings[out.topics[t + k]!] as `0x${string}`
      logs[j] = { address: out.logStrings[out.logAddress[l]!] as Address, topics, data: logData[l]! as `0x${string}` }
      t += tc
    }
    const r: BatchTxResult = {
      index: task.index[i]!,
      status: out.ok[i] ? 'success' : 'reverted',
      error: undefined,
      logs,
    }
    if (out.errorAt[e] === i) {
      r.error = { name: out.errorName[e]!, message: out.errorMessage[e]! }
      e++
    }
    const d = out.detail?.[i]
    if (d) {
      r.miss = d.miss
      r.reads = d.reads
      r.balances = d.balances
      r.records = d.records
    }
    results[i] = r
  }
  return results
}

/**
 * A locking-mode batch's final writes, as `applyOutcome` takes them; `task` resolves the positions of `writtenAt`.
 *
 * @example
 * ```ts
 * const { balances, records } = batchWrites(await worker.run(task), task)
 * ```
 */
export function batchWrites(
  out: BatchResult,
  task?: Pick<BatchTask, 'balanceAccounts'>,
): {
  balances: Iterable<[Address, bigint]>
  records: Iterable<[string, Iterable<[string, bigint]>]>
} {
  const at = out.writtenAt
  if (at !== undefined && task === undefined) throw new TypeError('batchWrites: a result with writtenAt needs its task')
  const balances: [Address, bigint][] = new Array(out.balanceValues.length)
  for (let i = 0; i < balances.length; i++)
    balances[i] = [at ? task!.balanceAccounts[at[i]!]! : out.balanceAccounts[i]!, out.balanceValues[i]!]
  return { balances, records: out.records }
}
