import type { TransferListItem } from 'node:worker_threads'
import { isMainThread, parentPort } from 'node:worker_threads'

/**
 * The worker side of `workerPool`: answers each task with the handler's result (or its error).
 * A handler may return `{ result, transfer }` through `withTransfer` to move buffers back without copying.
 *
 * @example
 * ```ts
 * import { serveWorker } from '@appchain/core/workers'
 * serveWorker((n: number) => n * n)
 * ```
 */
export function serveWorker<Task, Result>(handler: (task: Task) => Result | Promise<Result>): void {
  if (isMainThread || !parentPort) throw new TypeError('serveWorker must run inside a worker thread')
  const port = parentPort
  port.on('message', async ({ id, task }: { id: number; task: Task }) => {
    try {
      const out = await handler(task)
      if (out instanceof Transfer) port.postMessage({ id, ok: true, result: out.value }, out.transfer)
      else port.postMessage({ id, ok: true, result: out })
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e))
      port.postMessage({ id, ok: false, name: err.name, message: err.message })
    }
  })
}

class Transfer<T> {
  constructor(
    readonly value: T,
    readonly transfer: TransferListItem[],
  ) {}
}

/** Marks a worker result whose buffers move to the main thread instead of being copied. */
export function withTransfer<T>(value: T, transfer: TransferListItem[]): T {
  return new Transfer(value, transfer) as unknown as T
}
