import { BaseError } from './base.js'

/** Execution reverted; `revertData` is the raw return data (ABI-encoded reason, custom error). */
export class ExecutionRevertedError extends BaseError {
  override name = 'ExecutionRevertedError'
  readonly revertData: `0x${string}`
  constructor(args: { revertData: `0x${string}`; reason?: string | undefined }) {
    super(args.reason ? `execution reverted: ${args.reason}` : 'execution reverted', { data: args })
    this.revertData = args.revertData
  }
}

/** A transaction touched an account it did not declare in its access set (parallel VM). */
export class UndeclaredAccessError extends BaseError {
  override name = 'UndeclaredAccessError'
  constructor(args: { account: string; access: 'read' | 'write' }) {
    super(`Undeclared ${args.access} of account ${args.account}.`, { data: args })
  }
}

export class BlockNotFoundError extends BaseError {
  override name = 'BlockNotFoundError'
  constructor(args: { block: string }) {
    super(`Block ${args.block} not found.`, { data: args })
  }
}
