import type { Address, GasModel, GenesisAlloc } from '@appchain/core'
import { type AppchainNode, createNode, devAccounts, fundAccounts } from '@appchain/node'
import { evmVm } from '@appchain/vm-evm'
import {
  type Block,
  type Chain,
  createPublicClient,
  createWalletClient,
  defineChain,
  type Hash,
  type HttpTransport,
  hexToBytes,
  http,
  type PrivateKeyAccount,
  type PublicClient,
  type TransactionReceipt,
  type WalletClient,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'

export const CHAIN_ID = 4242
export const COINBASE: Address = '0x00000000000000000000000000000000000000c0'
export const dev = devAccounts(6)
export const signers: PrivateKeyAccount[] = dev.map((a) => privateKeyToAccount(a.privateKey))

export interface GasNode {
  node: AppchainNode
  client: PublicClient<HttpTransport, Chain>
  wallet(account: PrivateKeyAccount): WalletClient<HttpTransport, Chain, PrivateKeyAccount>
  /** Balances of `addresses` at the end of block `blockNumber`. */
  balancesAt(addresses: readonly Address[], blockNumber: bigint): Promise<bigint[]>
  /** Waits for the receipt, and returns it with the balance change of each address across its block. */
  settle(
    hash: Hash,
    addresses: readonly Address[],
  ): Promise<{ receipt: TransactionReceipt; block: Block; delta: bigint[] }>
  /** The raw receipt, for the fields viem does not format (`l1Fee`, `feePayer`). */
  rawReceipt(hash: Hash): Promise<(Record<string, unknown> & { l1Fee?: `0x${string}`; feePayer?: Address }) | null>
  stop(): Promise<void>
}

/**
 * A running chain with `gas` as its fee model: the EVM VM, in-memory storage, JSON-RPC on 127.0.0.1 port 0,
 * 50 ms blocks, a fixed coinbase, the dev accounts funded (plus `alloc`), and viem clients on it.
 */
export async function gasNode(gas: GasModel, opts: { alloc?: GenesisAlloc; fund?: boolean } = {}): Promise<GasNode> {
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
  const client = createPublicClient({ chain, transport: http(node.url), pollingInterval: 25 }) as PublicClient<
    HttpTransport,
    Chain
  >
  const wallet = (account: PrivateKeyAccount) => createWalletClient({ chain, transport: http(node.url), account })

  const balancesAt = async (addresses: readonly Address[], blockNumber: bigint) =>
    Promise.all(addresses.map((address) => client.getBalance({ address, blockNumber })))

  const settle = async (hash: Hash, addresses: readonly Address[]) => {
    const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 25 })
    const before = await balancesAt(addresses, receipt.blockNumber - 1n)
    const after = await balancesAt(addresses, receipt.blockNumber)
    const block = await client.getBlock({ blockNumber: receipt.blockNumber })
    return { receipt, block, delta: after.map((a, i) => a - before[i]!) }
  }

  const rawReceipt = (hash: Hash) =>
    client.request({ method: 'eth_getTransactionReceipt', params: [hash] }) as Promise<
      (Record<string, unknown> & { l1Fee?: `0x${string}`; feePayer?: Address }) | null
    >

  return { node, client, wallet, balancesAt, settle, rawReceipt, stop: () => node.stop() }
}

/** Signs `request` with viem (filling what it leaves out from the node) and sends it raw; returns the bytes too. */
export async function sendSigned(
  chain: GasNode,
  account: PrivateKeyAccount,
  request: Parameters<WalletClient<HttpTransport, Chain, PrivateKeyAccount>['prepareTransactionRequest']>[0],
): Promise<{ hash: Hash; raw: Uint8Array }> {
  const wallet = chain.wallet(account)
  const prepared = await wallet.prepareTransactionRequest(request)
  const signed = await wallet.signTransaction(prepared as never)
  const hash = await chain.client.sendRawTransaction({ serializedTransaction: signed })
  return { hash, raw: hexToBytes(signed) }
}
