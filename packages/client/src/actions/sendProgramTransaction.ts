import type { Hex } from '@appchain/core'
import type { Account, Chain, Client, Transport } from 'viem'
import { type PrepareProgramTransactionParameters, prepareProgramTransaction } from './prepareProgramTransaction.js'
import { rpc } from './rpc.js'
import { signProgramTransaction } from './signProgramTransaction.js'

/**
 * Builds, signs (EIP-712) and sends a program call; resolves with the transaction hash once the node's
 * mempool has admitted it (`eth_sendRawTransaction`, which every appchain node serves for every VM).
 *
 * @example
 * ```ts
 * const hash = await sendProgramTransaction(client, {
 *   program: 'token', method: 'transfer', args: { to, amount: 5n }, writes: [account.address, to],
 * })
 * ```
 */
export async function sendProgramTransaction<chain extends Chain | undefined, account extends Account | undefined>(
  client: Client<Transport, chain, account>,
  params: PrepareProgramTransactionParameters,
): Promise<Hex> {
  const raw = await signProgramTransaction(client, await prepareProgramTransaction(client, params))
  return rpc<Hex>(client, 'eth_sendRawTransaction', [raw])
}
