import type { Address, GasModel, GenesisAlloc } from '@appchain/core'
import { type AppchainNode, createNode, devAccounts, fundAccounts } from '@appchain/node'
import { evmVm } from '@appchain/vm-evm'
import {
  type Hash,
  type PrivateKeyAccount,
  type TransactionReceipt,
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'

export const CHAIN_ID = 4242
export const COINBASE: Address = '0x00000000000000000000000000000000000000c0'
export const dev = devAccounts(6)
export const signers: PrivateKeyAccount[] = dev.map((a) => privateKeyToAccount(a.privateKey))

/**
 * A running chain with `gas` as its fee model: the EVM VM, in-memory storage, JSON-RPC on 127.0.0.1 port 0,
 * 50 ms blocks, a fixed coinbase, the dev accounts funded (plus `alloc`), and viem clients on it.
 */
export async function gasNode(gas: GasModel, opts: { alloc?: GenesisAlloc; fund?: boolean } = {}) {
  const node: AppchainNode = await createNode({
    chainId: CHAIN_ID,
    vm: evmVm(),
    gas,
    sequencer: { blockTimeMs: 50, coinbase: COINBASE },
    db: { inMemory: true },
    rpc: { port: 0 },
    genesis: { alloc: { ...(opts.fund === false ? {} : fundAccounts(dev.map((a) => a.address))), ...opts.alloc } },
    logger: { level: 'silent' },
    processMetrics: false,
  })
  const chain = defineChain({
    id: CHAIN_ID,
    name: 'gas-test',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [node.url!] } },
  })
  const client = createPublicClient({ chain, transport: http(node.url), pollingInterval: 25 })
  const wallet = (account: PrivateKeyAccount) => createWalletClient({ chain, transport: http(node.url), account })

  /** Balances of `addresses` at the end of block `blockNumber`. */
  const balancesAt = async (addresses: readonly Address[], blockNumber: bigint) =>
    Promise.all(addresses.map((address) => client.getBalance({ address, blockNumber })))

  /** Waits for the receipt, and returns it with the balance change of each address across its block. */
  const settle = async (hash: Hash, addresses: readonly Address[]) => {
    const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 25 })
    const before = await balancesAt(addresses, receipt.blockNumber - 1n)
    const after = await balancesAt(addresses, receipt.blockNumber)
    const block = await client.getBlock({ blockNumber: receipt.blockNumber })
    return { receipt, block, delta: after.map((a, i) => a - before[i]!) }
  }

  /** The raw receipt, for the fields viem does not format (`l1Fee`, `feePayer`). */
  const rawReceipt = (hash: Hash) =>
    client.request({ method: 'eth_getTransactionReceipt', params: [hash] }) as Promise<
      (Record<string, unknown> & { l1Fee?: `0x${string}`; feePayer?: Address }) | null
    >

  return { node, client, wallet, balancesAt, settle, rawReceipt, stop: () => node.stop() }
}

export type GasNode = Awaited<ReturnType<typeof gasNode>>
export type { TransactionReceipt }
