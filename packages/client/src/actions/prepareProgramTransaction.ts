import type { Address } from '@appchain/core'
import {
  encodeTransaction,
  intrinsicGas,
  type MethodSchema,
  type ParallelTxRequest,
  type TxArgValue,
} from '@appchain/vm-parallel/tx'
import type { Account, Chain, Client, Transport } from 'viem'
import { parseAccount } from 'viem/accounts'
import { AccountRequiredError, UnknownProgramMethodError } from '../errors.js'
import { getPrograms } from './getPrograms.js'
import { rpc } from './rpc.js'

export interface PrepareProgramTransactionParameters {
  program: string
  method: string
  args: Record<string, TxArgValue>
  /** Accounts the call reads; default none. */
  reads?: Address[] | undefined
  /** Accounts the call writes; default the sender. */
  writes?: Address[] | undefined
  account?: Account | Address | undefined
  nonce?: bigint | undefined
  gasLimit?: bigint | undefined
  maxFeePerGas?: bigint | undefined
  maxPriorityFeePerGas?: bigint | undefined
}

export interface PreparedProgramTransaction {
  request: ParallelTxRequest
  schema: MethodSchema
  account: Account
}

/**
 * Fills in a program call: chain id, the method's schema, the pending nonce, fees from the node's quote and
 * the static gas of the call (exact: the VM charges base + per byte + per declared account).
 *
 * @example
 * ```ts
 * const prepared = await prepareProgramTransaction(client, {
 *   program: 'token', method: 'transfer', args: { to, amount: 5n }, writes: [account.address, to],
 * })
 * ```
 */
export async function prepareProgramTransaction<chain extends Chain | undefined, account extends Account | undefined>(
  client: Client<Transport, chain, account>,
  params: PrepareProgramTransactionParameters,
): Promise<PreparedProgramTransaction> {
  const acct = params.account ?? client.account
  if (!acct) throw new AccountRequiredError({ action: 'prepareProgramTransaction' })
  const account = parseAccount(acct)
  const programs = await getPrograms(client)
  const schema = programs.find((p) => p.id === params.program)?.methods.find((m) => m.method === params.method)
  if (!schema) {
    throw new UnknownProgramMethodError({
      program: params.program,
      method: params.method,
      known: programs.flatMap((p) => p.methods.map((m) => `${p.id}.${m.method}`)),
    })
  }
  const [chainId, nonce, gasPrice, tip] = await Promise.all([
    client.chain?.id !== undefined ? BigInt(client.chain.id) : rpc<string>(client, 'eth_chainId').then(BigInt),
    params.nonce ?? rpc<string>(client, 'eth_getTransactionCount', [account.address, 'pending']).then(BigInt),
    params.maxFeePerGas ?? rpc<string>(client, 'eth_gasPrice').then(BigInt),
    params.maxPriorityFeePerGas ?? rpc<string>(client, 'eth_maxPriorityFeePerGas').then(BigInt, () => 0n),
  ])
  const maxFeePerGas = params.maxFeePerGas ?? gasPrice * 2n
  const request: ParallelTxRequest = {
    chainId,
    program: params.program,
    method: params.method,
    args: params.args,
    reads: params.reads ?? [],
    writes: params.writes ?? [account.address],
    nonce,
    gasLimit: 0xffff_ffffn,
    maxFeePerGas,
    maxPriorityFeePerGas: tip > maxFeePerGas ? maxFeePerGas : tip,
  }
  if (params.gasLimit !== undefined) request.gasLimit = params.gasLimit
  else {
    // Size with a 4-byte gas limit and a blank signature bounds the final size from above.
    const size = encodeTransaction(request, schema, `0x${'00'.repeat(65)}`).length
    request.gasLimit = intrinsicGas(
      schema,
      size,
      new Set([...request.reads, ...request.writes].map((a) => a.toLowerCase())).size,
    )
  }
  return { request, schema, account }
}
