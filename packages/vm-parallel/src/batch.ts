import type { Address, Log } from '@appchain/core'
import {
  createExecutor,
  type ExecEnv,
  type ExecTx,
  type ExecutionMode,
  type ProgramInfo,
  recordKey,
} from './executor.js'
import type { Sandbox } from './sandbox.js'

/** One batch of transactions for one thread, with the state slice they declared. Plain data. */
export interface BatchTask {
  mode: ExecutionMode
  env: ExecEnv
  /** In block order. */
  txs: ExecTx[]
  balances: [Address, bigint][]
  /** `program|account` to record entries. */
  records: [string, [string, bigint][]][]
}

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

export interface BatchResult {
  results: BatchTxResult[]
  /** Locking mode: final values of every location the batch wrote. */
  balances: [Address, bigint][]
  records: [string, [string, bigint][]][]
}

/**
 * Executes a batch in order on one thread against its slice; later transactions see earlier ones' writes.
 * The same code runs in workers and, for sequential execution, on the main thread.
 */
export function runBatch(sandbox: Sandbox, infos: ReadonlyMap<string, ProgramInfo>, task: BatchTask): BatchResult {
  const balances = new Map(task.balances)
  const records = new Map<string, ReadonlyMap<string, bigint>>(task.records.map(([k, e]) => [k, new Map(e)]))
  const lastWriter = new Map<string, number>()
  const writtenBalances = new Set<Address>()
  const writtenRecords = new Set<string>()
  const store = {
    balance: (a: Address) => balances.get(a),
    record: (p: string, a: Address) => records.get(recordKey(p, a)),
  }
  const optimistic = task.mode === 'optimistic'
  const run = createExecutor(sandbox, infos, store, task.env, task.mode)
  const results: BatchTxResult[] = new Array(task.txs.length)
  for (let i = 0; i < task.txs.length; i++) {
    const tx = task.txs[i]!
    const out = run(tx)
    const r: BatchTxResult = { index: tx.index, status: out.status, error: out.error, logs: out.logs }
    if (optimistic) {
      r.miss = out.miss !== undefined
      r.reads = [...out.reads].map((loc) => [loc, lastWriter.get(loc) ?? -1])
      r.balances = [...out.balances]
      r.records = [...out.records].map(([k, m]) => [k, [...m]])
    }
    if (out.status === 'success') {
      for (const [a, v] of out.balances) {
        balances.set(a, v)
        writtenBalances.add(a)
        if (optimistic) lastWriter.set(`b${a}`, tx.index)
      }
      for (const [k, m] of out.records) {
        records.set(k, m)
        writtenRecords.add(k)
        if (optimistic) lastWriter.set(`r${k}`, tx.index)
      }
    }
    results[i] = r
  }
  return {
    results,
    balances: optimistic ? [] : [...writtenBalances].map((a) => [a, balances.get(a)!]),
    records: optimistic ? [] : [...writtenRecords].map((k) => [k, [...records.get(k)!]]),
  }
}
