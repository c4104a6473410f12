import { BaseError } from '../errors/base.js'

/** The worker's handler threw; `remoteName` and the message come from the worker. */
export class WorkerTaskError extends BaseError {
  override name = 'WorkerTaskError'
  constructor(args: { remoteName: string; message: string }) {
    super(`Worker task failed: ${args.remoteName}: ${args.message}`, { data: args })
  }
}

/** The worker thread exited or crashed with tasks in flight; the pool replaces it. */
export class WorkerCrashedError extends BaseError {
  override name = 'WorkerCrashedError'
  constructor(args: { exitCode?: number | undefined; reason?: string | undefined }) {
    super(`Worker thread stopped with tasks in flight${args.reason ? `: ${args.reason}` : ''}.`, { data: args })
  }
}

export class WorkerPoolClosedError extends BaseError {
  override name = 'WorkerPoolClosedError'
  constructor() {
    super('Worker pool is closed.')
  }
}
