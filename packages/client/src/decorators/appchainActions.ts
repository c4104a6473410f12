import type { Address, Hex } from '@appchain/core'
import type { Account, Chain, Client, Transport } from 'viem'
import { getProgramState, type ProgramState } from '../actions/getProgramState.js'
import { getPrograms, type ProgramInfo } from '../actions/getPrograms.js'
import {
  type PreparedProgramTransaction,
  type PrepareProgramTransactionParameters,
  prepareProgramTransaction,
} from '../actions/prepareProgramTransaction.js'
import { rpc } from '../actions/rpc.js'
import { sendProgramTransaction } from '../actions/sendProgramTransaction.js'
import { signProgramTransaction } from '../actions/signProgramTransaction.js'
import { type ProgramReceipt, waitForProgramReceipt } from '../actions/waitForProgramReceipt.js'

// A type alias, not an interface: viem's `extend` needs an index-signature-compatible object type.
export type AppchainActions = {
  getPrograms(): Promise<ProgramInfo[]>
  getProgramState(args: { program: string; account: Address }): Promise<ProgramState>
  /** Native balance through `appchain_getBalance`. */
  getAppchainBalance(args: { address: Address }): Promise<bigint>
  prepareProgramTransaction(params: PrepareProgramTransactionParameters): Promise<PreparedProgramTransaction>
  signProgramTransaction(prepared: PreparedProgramTransaction): Promise<Hex>
  sendProgramTransaction(params: PrepareProgramTransactionParameters): Promise<Hex>
  waitForProgramReceipt(args: { hash: Hex; pollingIntervalMs?: number; timeoutMs?: number }): Promise<ProgramReceipt>
}

/**
 * viem decorator with the appchain actions: build, sign (EIP-712) and send parallel-VM program calls and
 * read program state through the `appchain_` JSON-RPC namespace.
 *
 * @example
 * ```ts
 * import { createWalletClient, http } from 'viem'
 * import { privateKeyToAccount } from 'viem/accounts'
 * import { appchainActions } from '@appchain/client'
 *
 * const client = createWalletClient({ account: privateKeyToAccount(key), transport: http(url) }).extend(appchainActions())
 * const hash = await client.sendProgramTransaction({ program: 'token', method: 'transfer', args: { to, amount: 1n }, writes: [client.account.address, to] })
 * const receipt = await client.waitForProgramReceipt({ hash })
 * ```
 */
export function appchainActions() {
  return <transport extends Transport, chain extends Chain | undefined, account extends Account | undefined>(
    client: Client<transport, chain, account>,
  ): AppchainActions => ({
    getPrograms: () => getPrograms(client),
    getProgramState: (args) => getProgramState(client, args),
    getAppchainBalance: async ({ address }) => BigInt(await rpc<string>(client, 'appchain_getBalance', [address])),
    prepareProgramTransaction: (params) => prepareProgramTransaction(client, params),
    signProgramTransaction: (prepared) => signProgramTransaction(client, prepared),
    sendProgramTransaction: (params) => sendProgramTransaction(client, params),
    waitForProgramReceipt: (args) => waitForProgramReceipt(client, args),
  })
}
