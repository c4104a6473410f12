import { BaseError } from './base.js'

export class DbClosedError extends BaseError {
  override name = 'DbClosedError'
  constructor() {
    super('Database is closed.')
  }
}

export class DbError extends BaseError {
  override name = 'DbError'
  constructor(operation: string, args: { cause?: unknown } = {}) {
    super(`Database ${operation} failed.`, { cause: args.cause, data: { operation } })
  }
}
