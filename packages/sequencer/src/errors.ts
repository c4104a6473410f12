import { BaseError } from '@appchain/core'

/** A transaction's nonce is too far ahead of its sender's next nonce to be queued. */
export class NonceGapTooLargeError extends BaseError {
  override name = 'NonceGapTooLargeError'
  constructor(args: { address: string; nonce: bigint; expected: bigint; maxGap: number }) {
    super(
      `nonce too high: address ${args.address}, tx: ${args.nonce} next: ${args.expected} (queue holds at most ${args.maxGap} ahead)`,
      { data: args },
    )
  }
}

/** The transaction alone could never fit in a block of this sequencer (gas or bytes). */
export class TxExceedsBlockLimitError extends BaseError {
  override name = 'TxExceedsBlockLimitError'
  constructor(args: { hash: string; limit: 'gas' | 'bytes'; value: bigint | number; max: bigint | number }) {
    super(`transaction ${args.hash} exceeds the block ${args.limit} limit: ${args.value} > ${args.max}`, { data: args })
  }
}

/**
 * A placed (preconfirmed) transaction did not end where it was promised: the VM's final execution differs
 * from its incremental one. Never expected; reported so that an operator sees a broken promise.
 */
export class PreconfirmationBrokenError extends BaseError {
  override name = 'PreconfirmationBrokenError'
  constructor(args: { blockNumber: bigint; expected: string[]; got: string[] }) {
    super(`Block ${args.blockNumber} does not hold the preconfirmed transactions in the promised order.`, {
      data: args,
      metaMessages: [`Promised: ${args.expected.length} txs`, `Sealed: ${args.got.length} txs`],
    })
  }
}

/** A preconfirmation whose signature does not recover to the claimed sequencer. */
export class InvalidPreconfirmationError extends BaseError {
  override name = 'InvalidPreconfirmationError'
  constructor(args: { txHash: string; sequencer: string; recovered: string | undefined }) {
    super(`Preconfirmation for ${args.txHash} is not signed by ${args.sequencer}.`, { data: args })
  }
}
