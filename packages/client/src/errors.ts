import { BaseError } from '@appchain/core'

/** The chain does not run this program or method (per its `appchain_getPrograms`). */
export class UnknownProgramMethodError extends BaseError {
  override name = 'UnknownProgramMethodError'
  constructor(args: { program: string; method: string; known: string[] }) {
    super(`The chain has no ${args.program}.${args.method}.`, {
      data: args,
      metaMessages: [`Known: ${args.known.join(', ')}`],
    })
  }
}

/** Signing needs an account: pass `account` or create the client with one. */
export class AccountRequiredError extends BaseError {
  override name = 'AccountRequiredError'
  constructor(args: { action: string }) {
    super(`${args.action} needs an account: pass \`account\` or set it on the client.`, { data: args })
  }
}

/** No receipt within the timeout. */
export class ReceiptTimeoutError extends BaseError {
  override name = 'ReceiptTimeoutError'
  constructor(args: { hash: string; timeoutMs: number }) {
    super(`No receipt for ${args.hash} after ${args.timeoutMs} ms.`, { data: args })
  }
}
