import { type Address, type Hex, type Log, PREDEPLOYS, type Withdrawal } from '@appchain/core'
import { decodeEventLog, toEventSelector } from 'viem'
import { messagePasserAbi, messagePasserCode } from './artifacts/messagePasser.js'

/** topic0 of `MessagePassed(uint256,address,address,uint256,uint256,bytes,bytes32)`. */
export const MESSAGE_PASSED_TOPIC: Hex = toEventSelector(
  'MessagePassed(uint256,address,address,uint256,uint256,bytes,bytes32)',
)

/**
 * The L2→L1 message passer predeploy: where it lives, its runtime code (written at genesis) and the hook
 * the bridge plugs in to observe each withdrawal as a block records it.
 */
export interface MessagePasserConfig {
  /** Default `PREDEPLOYS.l2ToL1MessagePasser`. */
  address?: Address | undefined
  /** Called for every withdrawal in execution order (the bridge indexes them). */
  onWithdrawal?: ((withdrawal: Withdrawal, ctx: { blockNumber: bigint }) => void | Promise<void>) | undefined
}

/** Runtime code of the message passer predeploy (compiled from contracts/L2ToL1MessagePasser.sol). */
export const MESSAGE_PASSER_CODE: Hex = messagePasserCode

/**
 * The withdrawal a `MessagePassed` log of the message passer records, or undefined for any other log.
 *
 * @example
 * ```ts
 * const withdrawals = receipt.logs.map((l) => withdrawalFromLog(l)).filter((w) => w !== undefined)
 * ```
 */
export function withdrawalFromLog(log: Log, passer: Address = PREDEPLOYS.l2ToL1MessagePasser): Withdrawal | undefined {
  if (log.address !== passer || log.topics[0] !== MESSAGE_PASSED_TOPIC) return undefined
  const { args } = decodeEventLog({ abi: messagePasserAbi, data: log.data, topics: log.topics as [Hex, ...Hex[]] })
  return {
    nonce: args.nonce,
    sender: args.sender.toLowerCase() as Address,
    target: args.target.toLowerCase() as Address,
    value: args.value,
    gasLimit: args.gasLimit,
    data: args.data,
    hash: args.withdrawalHash,
  }
}
