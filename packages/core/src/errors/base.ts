export type BaseErrorParameters = {
  cause?: unknown
  details?: string | undefined
  metaMessages?: string[] | undefined
  /** Machine-readable values involved (nonce, balance, limit, ...); JSON-RPC puts them in `error.data`. */
  data?: Record<string, unknown> | undefined
}

/**
 * Root of every error thrown by appchain packages, in the shape of viem's `BaseError`:
 * a one-line `shortMessage`, optional `details` and `metaMessages`, a `cause` chain and `walk()`.
 *
 * @example
 * ```ts
 * import { BaseError } from '@appchain/core'
 * class PizzaError extends BaseError {
 *   override name = 'PizzaError'
 *   constructor(topping: string) { super(`No ${topping} left.`, { data: { topping } }) }
 * }
 * ```
 */
export class BaseError extends Error {
  override name = 'BaseError'
  readonly shortMessage: string
  readonly details: string
  readonly metaMessages: string[] | undefined
  readonly data: Record<string, unknown> | undefined

  constructor(shortMessage: string, args: BaseErrorParameters = {}) {
    const cause = args.cause
    const details =
      cause instanceof BaseError ? cause.details : cause instanceof Error ? cause.message : (args.details ?? '')
    const message = [
      shortMessage,
      ...(args.metaMessages?.length ? ['', ...args.metaMessages] : []),
      ...(details ? ['', `Details: ${details}`] : []),
    ].join('\n')
    super(message, cause === undefined ? undefined : { cause })
    this.shortMessage = shortMessage
    this.details = details
    this.metaMessages = args.metaMessages
    this.data = args.data
  }

  /** The deepest cause, or the first error in the chain (this one included) that `fn` accepts. */
  walk(): Error
  walk(fn: (err: unknown) => boolean): Error | null
  walk(fn?: (err: unknown) => boolean): Error | null {
    return walk(this, fn)
  }
}

function walk(err: unknown, fn?: (err: unknown) => boolean): Error | null {
  if (fn?.(err)) return err as Error
  if (err && typeof err === 'object' && 'cause' in err && err.cause !== undefined) return walk(err.cause, fn)
  return fn ? null : (err as Error)
}
