import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import { type TransferListItem, Worker } from 'node:worker_threads'
import { WorkerCrashedError, WorkerPoolClosedError, WorkerTaskError } from './errors.js'
import { tsBootstrap } from './tsBootstrap.js'

export interface WorkerPoolConfig {
  /** The worker module (it calls `serveWorker`). A `.ts` URL runs under tsx with the `source` condition (tests, dev). */
  url: URL | string
  /** Number of threads (default: available parallelism). */
  size?: number | undefined
  /** Passed to every worker as `workerData`. */
  workerData?: unknown
}

export interface WorkerPool<Task, Result> {
  readonly size: number
  /** Runs a task on the least busy worker. */
  run(task: Task, transfer?: readonly TransferListItem[]): Promise<Result>
  /** Runs a task on one chosen worker (affinity: a worker that holds cached state). */
  runOn(index: number, task: Task, transfer?: readonly TransferListItem[]): Promise<Result>
  close(): Promise<void>
}

type Pending = { resolve: (v: unknown) => void; reject: (e: unknown) => void }
type Slot = { worker: Worker; pending: Map<number, Pending> }
type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; name: string; message: string }

/**
 * A fixed pool of worker threads with request/response messaging. Threads are unref'd while idle so a
 * pool never keeps a process alive; a crashed thread fails its in-flight tasks and is replaced.
 *
 * @example
 * ```ts
 * // square.ts: serveWorker((n: number) => n * n)
 * const pool = workerPool<number, number>({ url: new URL('./square.js', import.meta.url), size: 2 })
 * await pool.run(7) // 49
 * await pool.close()
 * ```
 */
export function workerPool<Task, Result>(config: WorkerPoolConfig): WorkerPool<Task, Result> {
  const size = config.size ?? availableParallelism()
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`Worker pool size must be a positive integer: ${size}`)
  const path = config.url instanceof URL ? fileURLToPath(config.url) : config.url
  const isTs = path.endsWith('.ts')
  let nextId = 0
  let closed = false

  const spawn = (): Slot => {
    const worker = isTs
      ? new Worker(tsBootstrap(path), { eval: true, workerData: config.workerData, execArgv: ['--conditions=source'] })
      : new Worker(path, { workerData: config.workerData })
    const slot: Slot = { worker, pending: new Map() }
    worker.unref()
    worker.on('message', (reply: Reply) => {
      const p = slot.pending.get(reply.id)
      if (!p) return
      slot.pending.delete(reply.id)
      if (slot.pending.size === 0) worker.unref()
      if (reply.ok) p.resolve(reply.result)
      else p.reject(new WorkerTaskError({ remoteName: reply.name, message: reply.message }))
    })
    const fail = (reason: string, exitCode?: number) => {
      const i = slots.indexOf(slot)
      for (const p of slot.pending.values()) p.reject(new WorkerCrashedError({ exitCode, reason }))
      slot.pending.clear()
      if (!closed && i >= 0) slots[i] = spawn()
    }
    worker.on('error', (e) => fail(e.message))
    worker.on('exit', (code) => {
      if (!closed) fail(`exit code ${code}`, code)
    })
    return slot
  }

  const slots: Slot[] = Array.from({ length: size }, spawn)

  const send = (slot: Slot, task: Task, transfer?: readonly TransferListItem[]) =>
    new Promise<Result>((resolve, reject) => {
      if (closed) return reject(new WorkerPoolClosedError())
      const id = nextId++
      slot.pending.set(id, { resolve: resolve as (v: unknown) => void, reject })
      if (slot.pending.size === 1) slot.worker.ref()
      slot.worker.postMessage({ id, task }, transfer as TransferListItem[] | undefined)
    })

  return {
    size,
    run(task, transfer) {
      let best = slots[0]!
      for (const s of slots) if (s.pending.size < best.pending.size) best = s
      return send(best, task, transfer)
    },
    runOn(index, task, transfer) {
      const slot = slots[index]
      if (!slot) throw new RangeError(`No worker ${index} in a pool of ${size}`)
      return send(slot, task, transfer)
    },
    async close() {
      if (closed) return
      closed = true
      for (const s of slots) for (const p of s.pending.values()) p.reject(new WorkerPoolClosedError())
      await Promise.all(slots.map((s) => s.worker.terminate()))
    },
  }
}
