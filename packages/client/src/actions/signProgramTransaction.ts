import type { Hex } from '@appchain/core'
import { encodeTransaction, typedDataOf } from '@appchain/vm-parallel/tx'
import { bytesToHex, type Chain, type Client, type Transport } from 'viem'
import { signTypedData } from 'viem/actions'
import type { PreparedProgramTransaction } from './prepareProgramTransaction.js'

/**
 * Signs a prepared program call as EIP-712 typed data (local accounts sign in process; JSON-RPC accounts
 * through `eth_signTypedData_v4`, so any Ethereum wallet can) and returns the raw transaction.
 *
 * @example
 * ```ts
 * const raw = await signProgramTransaction(client, await prepareProgramTransaction(client, params))
 * ```
 */
export async function signProgramTransaction<chain extends Chain | undefined>(
  client: Client<Transport, chain>,
  prepared: PreparedProgramTransaction,
): Promise<Hex> {
  const typed = typedDataOf(prepared.request, prepared.schema)
  const signature = await signTypedData(client, { account: prepared.account, ...typed } as Parameters<
    typeof signTypedData
  >[1])
  return bytesToHex(encodeTransaction(prepared.request, prepared.schema, signature))
}
