import { BaseError } from './base.js'

/** A DA submission that may succeed if tried again (timeout, connection reset, node busy). */
export class DaRetryableError extends BaseError {
  override name = 'DaRetryableError'
  constructor(reason: string, args: { cause?: unknown } = {}) {
    super(`DA submission failed, retryable: ${reason}`, { cause: args.cause, data: { reason } })
  }
}

/** A DA submission that will never succeed as is (blob too large, rejected namespace). */
export class DaFatalError extends BaseError {
  override name = 'DaFatalError'
  constructor(reason: string, args: { cause?: unknown } = {}) {
    super(`DA submission failed: ${reason}`, { cause: args.cause, data: { reason } })
  }
}

export class DaBlobTooLargeError extends DaFatalError {
  override name = 'DaBlobTooLargeError'
  constructor(args: { size: number; max: number }) {
    super(`blob of ${args.size} bytes exceeds the adapter's maximum of ${args.max}`)
  }
}

export class DaNotFoundError extends BaseError {
  override name = 'DaNotFoundError'
  constructor(args: { ref: string }) {
    super(`DA reference ${args.ref} not found.`, { data: args })
  }
}
