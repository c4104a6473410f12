import { BaseError } from '@appchain/core'

/** `sponsored({ allow })` does not cover this transaction, so no paymaster pays for it. */
export class NotSponsoredError extends BaseError {
  override name = 'NotSponsoredError'
  constructor(args: { sender: string; paymaster: string }) {
    super(`transaction from ${args.sender} is not sponsored by paymaster ${args.paymaster}`, {
      data: args,
      metaMessages: ['The sponsored() model only admits transactions its `allow` rule accepts.'],
    })
  }
}
