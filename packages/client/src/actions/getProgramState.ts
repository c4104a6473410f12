import type { Address } from '@appchain/core'
import type { Client } from 'viem'
import { rpc } from './rpc.js'

export interface ProgramState {
  program: string
  account: Address
  /** Native balance of the account. */
  balance: bigint
  nonce: bigint
  /** The program's record at the account (absent keys are 0). */
  record: Record<string, bigint>
}

/**
 * An account as one program sees it: native balance, nonce and the program's record (`appchain_getProgramState`).
 *
 * @example
 * ```ts
 * const { record } = await getProgramState(client, { program: 'game', account })
 * record.x // 3n
 * ```
 */
export async function getProgramState(
  client: Client,
  args: { program: string; account: Address },
): Promise<ProgramState> {
  const out = await rpc<{
    program: string
    account: Address
    balance: string
    nonce: string
    record: Record<string, string>
  }>(client, 'appchain_getProgramState', [args.program, args.account])
  return {
    program: out.program,
    account: out.account,
    balance: BigInt(out.balance),
    nonce: BigInt(out.nonce),
    record: Object.fromEntries(Object.entries(out.record).map(([k, v]) => [k, BigInt(v)])),
  }
}
