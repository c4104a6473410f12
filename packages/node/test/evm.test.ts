import { verifyPreconfirmation } from '@appchain/sequencer'
import { verifyProof } from '@appchain/state'
import {
  Contract,
  ContractFactory,
  parseEther as ethersParseEther,
  JsonRpcProvider,
  Wallet,
  WebSocketProvider,
} from 'ethers'
import {
  BaseError,
  ContractFunctionRevertedError,
  createPublicClient,
  createWalletClient,
  getContract,
  type Hex,
  http,
  parseAbiItem,
  parseEther,
  parseGwei,
  webSocket,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AppchainNode } from '../src/index.js'
import { accounts, CHAIN_ID, chain, compileToken, startNode } from './helpers.js'

let node: AppchainNode
let token: { abi: unknown[]; bytecode: Hex }
let tokenAddress: Hex
const alice = privateKeyToAccount(accounts[1]!.privateKey)
const bob = accounts[2]!.address

const clients = () => {
  const c = chain(node.url!, node.wsUrl!)
  return {
    publicClient: createPublicClient({ chain: c, transport: http(node.url), pollingInterval: 50 }),
    wallet: createWalletClient({ chain: c, transport: http(node.url), account: alice }),
  }
}

beforeAll(async () => {
  token = compileToken()
  node = await startNode()
})
afterAll(async () => {
  await node?.stop()
})

describe('a node driven through viem and ethers', () => {
  it('deploys a solc-compiled contract and transfers ERC-20 tokens (viem, HTTP)', async () => {
    const { publicClient, wallet } = clients()
    expect(await publicClient.getChainId()).toBe(CHAIN_ID)
    const hash = await wallet.deployContract({ abi: token.abi, bytecode: token.bytecode, args: [1_000_000n] })
    const receipt = await publicClient.waitForTransactionReceipt({ hash })
    expect(receipt.status).toBe('success')
    tokenAddress = receipt.contractAddress!
    expect(await publicClient.getCode({ address: tokenAddress })).toMatch(/^0x6080/)

    const erc20 = getContract({ address: tokenAddress, abi: token.abi, client: { public: publicClient, wallet } })
    expect(await erc20.read.name!()).toBe('Test Token')
    const tx = await erc20.write.transfer!([bob, 250n])
    const r = await publicClient.waitForTransactionReceipt({ hash: tx })
    expect(r.logs).toHaveLength(1)
    expect(await erc20.read.balanceOf!([bob])).toBe(250n)
    expect(await erc20.read.balanceOf!([alice.address])).toBe(1_000_000n - 250n)

    const block = await publicClient.getBlock({ blockNumber: r.blockNumber, includeTransactions: true })
    expect(block.transactions.map((t) => t.hash)).toContain(tx)
    expect(block.hash).toBe(r.blockHash)
    const receipts = await publicClient.request({
      method: 'eth_getBlockReceipts',
      params: [`0x${r.blockNumber.toString(16)}`],
    })
    expect(receipts?.map((x) => x.transactionHash)).toContain(tx)
    const fetched = await publicClient.getTransaction({ hash: tx })
    expect(fetched.from).toBe(alice.address.toLowerCase())
    expect(fetched.to).toBe(tokenAddress)
  })

  it('transfers ETH and ERC-20 with ethers, and reads events with queryFilter', async () => {
    const provider = new JsonRpcProvider(node.url, CHAIN_ID, {
      staticNetwork: true,
      pollingInterval: 50,
      cacheTimeout: -1,
    })
    try {
      const signer = new Wallet(accounts[3]!.privateKey, provider)
      const before = await provider.getBalance(bob)
      const tx = await signer.sendTransaction({ to: bob, value: ethersParseEther('1.5') })
      const receipt = await tx.wait()
      expect(receipt?.status).toBe(1)
      expect(await provider.getBalance(bob)).toBe(before + ethersParseEther('1.5'))

      const factory = new ContractFactory(token.abi as never, token.bytecode, signer)
      const deployed = await factory.deploy(500n)
      await deployed.waitForDeployment()
      const erc20 = new Contract(await deployed.getAddress(), token.abi as never, signer)
      const sent = await erc20.getFunction('transfer')(bob, 123n)
      await sent.wait()
      expect(await erc20.getFunction('balanceOf')(bob)).toBe(123n)
      const events = await erc20.queryFilter(erc20.filters.Transfer!(), 0, 'latest')
      expect(events.map((e) => ('args' in e ? e.args[2] : undefined))).toEqual([500n, 123n])
    } finally {
      provider.destroy()
    }
  })

  it('answers getLogs with address and topic filters, and log and block filters', async () => {
    const { publicClient, wallet } = clients()
    const transfer = parseAbiItem('event Transfer(address indexed from, address indexed to, uint256 value)')
    const logFilter = await publicClient.createEventFilter({
      address: tokenAddress,
      event: transfer,
      args: { to: bob },
    })
    const blockFilter = await publicClient.createBlockFilter()
    const erc20 = getContract({ address: tokenAddress, abi: token.abi, client: { public: publicClient, wallet } })
    const hash = await erc20.write.transfer!([bob, 5n])
    const r = await publicClient.waitForTransactionReceipt({ hash })

    const toBob = await publicClient.getLogs({
      address: tokenAddress,
      event: transfer,
      args: { to: bob },
      fromBlock: 0n,
    })
    expect(toBob.map((l) => l.args.value)).toEqual([250n, 5n])
    const mint = await publicClient.getLogs({
      event: transfer,
      args: { from: '0x0000000000000000000000000000000000000000' },
      fromBlock: 0n,
    })
    expect(mint.length).toBe(2) // both deployments
    expect(await publicClient.getLogs({ address: bob, fromBlock: 0n })).toEqual([])

    const changes = await publicClient.getFilterChanges({ filter: logFilter })
    expect(changes.map((l) => l.transactionHash)).toEqual([hash])
    const blocks = await publicClient.getFilterChanges({ filter: blockFilter })
    expect(blocks).toContain(r.blockHash)
    expect(await publicClient.getFilterChanges({ filter: logFilter })).toEqual([])
    expect(await publicClient.uninstallFilter({ filter: logFilter })).toBe(true)
    await expect(publicClient.getFilterChanges({ filter: logFilter })).rejects.toThrow(/filter not found/)
  })

  it('watches heads and logs over WebSocket (viem and ethers), with preconfirmations', async () => {
    const c = chain(node.url!, node.wsUrl!)
    const ws = createPublicClient({ chain: c, transport: webSocket(node.wsUrl) })
    const provider = new WebSocketProvider(node.wsUrl!, CHAIN_ID)
    try {
      const heads: bigint[] = []
      const ethersBlocks: number[] = []
      const unwatch = ws.watchBlocks({ onBlock: (b) => heads.push(b.number) })
      await provider.on('block', (n: number) => ethersBlocks.push(n))
      type PreconfJson = { txHash: Hex; blockNumber: Hex; index: Hex; sequencer: Hex; signature: Hex }
      const preconfs: PreconfJson[] = []
      const { unsubscribe } = await ws.transport.subscribe({
        params: ['appchain_preconfirmations'] as never,
        onData: (d) => preconfs.push((d as unknown as { result: PreconfJson }).result),
        onError: () => {},
      })
      // Let both subscriptions register before the block comes.
      await new Promise((r) => setTimeout(r, 100))
      const { wallet, publicClient } = clients()
      const hash = await wallet.sendTransaction({ to: bob, value: 1n })
      const r = await publicClient.waitForTransactionReceipt({ hash })
      await expect.poll(() => heads.includes(r.blockNumber), { timeout: 5000 }).toBe(true)
      await expect.poll(() => ethersBlocks.includes(Number(r.blockNumber)), { timeout: 5000 }).toBe(true)
      const pc = preconfs.find((p) => p.txHash === hash)
      expect(pc).toBeDefined()
      expect(BigInt(pc!.blockNumber)).toBe(r.blockNumber)
      expect(Number(pc!.index)).toBe(r.transactionIndex)
      const p = {
        txHash: pc!.txHash,
        blockNumber: BigInt(pc!.blockNumber),
        index: Number(pc!.index),
        sequencer: pc!.sequencer,
        signature: pc!.signature,
      }
      expect(await verifyPreconfirmation(p, { chainId: BigInt(CHAIN_ID), sequencer: accounts[0]!.address })).toBe(true)
      expect(
        await publicClient.request({ method: 'appchain_getPreconfirmation' as never, params: [hash] as never }),
      ).toEqual(pc)
      unwatch()
      await unsubscribe()
    } finally {
      await provider.destroy()
      await ws.transport.getRpcClient().then((c) => c.close())
    }
  })

  it('gets revert reasons: require strings and custom errors, through viem and ethers', async () => {
    const { publicClient } = clients()
    const poor = privateKeyToAccount(accounts[9]!.privateKey)
    const err = await publicClient
      .simulateContract({
        address: tokenAddress,
        abi: token.abi,
        functionName: 'transfer',
        args: [bob, 1n],
        account: poor,
      })
      .catch((e: BaseError) => e)
    expect(err).toBeInstanceOf(BaseError)
    const reverted = (err as BaseError).walk(
      (e) => e instanceof ContractFunctionRevertedError,
    ) as ContractFunctionRevertedError
    expect(reverted.reason).toBe('insufficient balance')
    const custom = await publicClient
      .simulateContract({ address: tokenAddress, abi: token.abi, functionName: 'nope' })
      .catch((e: BaseError) => e)
    const c = (custom as BaseError).walk(
      (e) => e instanceof ContractFunctionRevertedError,
    ) as ContractFunctionRevertedError
    expect(c.data?.errorName).toBe('Nope')
    expect(c.data?.args).toEqual([7n])

    const raw = await fetch(node.url!, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'eth_call',
        params: [
          { to: tokenAddress, data: `0xa9059cbb${'0'.repeat(64)}${'0'.repeat(63)}1`, from: poor.address },
          'latest',
        ],
      }),
    }).then((r) => r.json() as Promise<{ error: { code: number; message: string; data: string } }>)
    expect(raw.error.code).toBe(3)
    expect(raw.error.message).toBe('execution reverted: insufficient balance')
    expect(raw.error.data).toMatch(/^0x08c379a0/)

    const provider = new JsonRpcProvider(node.url, CHAIN_ID, { staticNetwork: true, cacheTimeout: -1 })
    try {
      const erc20 = new Contract(tokenAddress, token.abi as never, new Wallet(accounts[9]!.privateKey, provider))
      await expect(erc20.getFunction('transfer').staticCall(bob, 1n)).rejects.toMatchObject({
        reason: 'insufficient balance',
      })
    } finally {
      provider.destroy()
    }
  })

  it('serves eth_getProof proofs that verify against the block state root', async () => {
    const { publicClient } = clients()
    const block = await publicClient.getBlock()
    const proof = await publicClient.getProof({
      address: tokenAddress,
      storageKeys: [`0x${'0'.repeat(64)}`],
      blockNumber: block.number,
    })
    expect(
      verifyProof(block.stateRoot, {
        address: proof.address,
        accountProof: proof.accountProof,
        balance: proof.balance,
        codeHash: proof.codeHash,
        nonce: BigInt(proof.nonce),
        storageHash: proof.storageHash,
        storageProof: proof.storageProof.map((s) => ({ key: s.key, value: s.value, proof: s.proof })),
      }),
    ).toBe(true)
    const eoa = await publicClient.getProof({ address: alice.address, storageKeys: [], blockNumber: block.number })
    expect(eoa.balance).toBe(await publicClient.getBalance({ address: alice.address, blockNumber: block.number }))
    expect(() =>
      verifyProof(block.stateRoot, { ...eoa, nonce: BigInt(eoa.nonce), balance: eoa.balance + 1n, storageProof: [] }),
    ).toThrow()
  })

  it('replaces a pending transaction and refuses an underpriced replacement', async () => {
    const { publicClient } = clients()
    const sender = privateKeyToAccount(accounts[4]!.privateKey)
    const c = chain(node.url!)
    const wallet = createWalletClient({ chain: c, transport: http(node.url), account: sender })
    const nonce = await publicClient.getTransactionCount({ address: sender.address })
    const base = { to: bob, gas: 21_000n, maxPriorityFeePerGas: parseGwei('1'), chain: c, account: sender } as const
    // Nonce n+1 waits in the pool (queued) until n arrives: it can be replaced meanwhile.
    const original = await wallet.sendTransaction({
      ...base,
      nonce: nonce + 1,
      value: 1n,
      maxFeePerGas: parseGwei('20'),
    })
    expect(await publicClient.getTransaction({ hash: original })).toMatchObject({ blockNumber: null })
    await expect(
      wallet.sendTransaction({
        ...base,
        nonce: nonce + 1,
        value: 2n,
        maxFeePerGas: parseGwei('20'),
        maxPriorityFeePerGas: parseGwei('1'),
      }),
    ).rejects.toThrow(/replacement transaction underpriced/)
    const replacement = await wallet.sendTransaction({
      ...base,
      nonce: nonce + 1,
      value: 3n,
      maxFeePerGas: parseGwei('30'),
      maxPriorityFeePerGas: parseGwei('2'),
    })
    const first = await wallet.sendTransaction({ ...base, nonce, value: 1n, maxFeePerGas: parseGwei('20') })
    await publicClient.waitForTransactionReceipt({ hash: first })
    const r = await publicClient.waitForTransactionReceipt({ hash: replacement })
    expect(r.status).toBe('success')
    expect(await publicClient.getTransactionReceipt({ hash: original }).catch((e) => e.name)).toBe(
      'TransactionReceiptNotFoundError',
    )
    expect(await publicClient.getTransactionCount({ address: sender.address })).toBe(nonce + 2)
  })

  it('refuses bad transactions with geth messages viem and ethers recognise', async () => {
    const { publicClient } = clients()
    const sender = privateKeyToAccount(accounts[5]!.privateKey)
    const c = chain(node.url!)
    const wallet = createWalletClient({ chain: c, transport: http(node.url), account: sender })
    const hash = await wallet.sendTransaction({ to: bob, value: 1n })
    await publicClient.waitForTransactionReceipt({ hash })
    const stale = await sender.signTransaction({
      chainId: CHAIN_ID,
      to: bob,
      value: 1n,
      nonce: 0,
      gas: 21_000n,
      maxFeePerGas: parseGwei('20'),
      maxPriorityFeePerGas: 1n,
    })
    await expect(publicClient.sendRawTransaction({ serializedTransaction: stale })).rejects.toThrow(
      /nonce too low|Nonce provided for the transaction is lower/,
    )
    const broke = privateKeyToAccount(`0x${'11'.repeat(32)}`)
    const tooMuch = await broke.signTransaction({
      chainId: CHAIN_ID,
      to: bob,
      value: parseEther('1'),
      nonce: 0,
      gas: 21_000n,
      maxFeePerGas: parseGwei('20'),
      maxPriorityFeePerGas: 1n,
    })
    const res = await fetch(node.url!, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_sendRawTransaction', params: [tooMuch] }),
    }).then((r) => r.json() as Promise<{ error: { code: number; message: string; data: string } }>)
    expect(res.error.code).toBe(-32000)
    expect(res.error.message).toMatch(/^insufficient funds for gas \* price \+ value/)
    const provider = new JsonRpcProvider(node.url, CHAIN_ID, { staticNetwork: true, cacheTimeout: -1 })
    try {
      await expect(provider.broadcastTransaction(tooMuch)).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS' })
      await expect(provider.broadcastTransaction(stale)).rejects.toMatchObject({ code: 'NONCE_EXPIRED' })
    } finally {
      provider.destroy()
    }
  })

  it('serves fee data, pending nonces and metrics', async () => {
    const { publicClient } = clients()
    const fees = await publicClient.estimateFeesPerGas()
    expect(fees.maxFeePerGas).toBeGreaterThan(0n)
    const history = await publicClient.getFeeHistory({ blockCount: 4, rewardPercentiles: [25, 75] })
    expect(history.baseFeePerGas.length).toBe(history.gasUsedRatio.length + 1)
    expect(history.reward?.[0]).toHaveLength(2)
    expect(await publicClient.request({ method: 'eth_syncing' as never })).toBe(false)
    expect(await publicClient.request({ method: 'net_version' })).toBe(String(CHAIN_ID))
    expect(await publicClient.request({ method: 'web3_clientVersion' })).toMatch(/^appchain\//)
    const metrics = await fetch(`${node.url}/metrics`).then((r) => r.text())
    expect(metrics).toMatch(/appchain_blocks_total \d+/)
    expect(metrics).toMatch(/appchain_transactions_total \d+/)
    expect(metrics).toContain('appchain_mempool_size')
    expect(metrics).toContain('appchain_block_build_seconds_bucket')
    expect(Number(/appchain_transactions_total (\d+)/.exec(metrics)?.[1])).toBeGreaterThanOrEqual(8)
  })
})
