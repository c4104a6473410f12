import { BaseError } from './base.js'

export class AlreadyKnownError extends BaseError {
  override name = 'AlreadyKnownError'
  constructor(args: { hash: string }) {
    super('already known', { data: args })
  }
}

/** geth's message `replacement transaction underpriced`. */
export class ReplacementUnderpricedError extends BaseError {
  override name = 'ReplacementUnderpricedError'
  constructor(args: { hash: string; minBumpPercent: number }) {
    super('replacement transaction underpriced', { data: args })
  }
}

export class MempoolFullError extends BaseError {
  override name = 'MempoolFullError'
  constructor(args: { limit: string; max: number }) {
    super(`txpool is full: ${args.limit} limit of ${args.max} reached`, { data: args })
  }
}

export class SenderQueueFullError extends BaseError {
  override name = 'SenderQueueFullError'
  constructor(args: { address: string; max: number }) {
    super(`too many transactions from sender ${args.address}: limit ${args.max}`, { data: args })
  }
}
