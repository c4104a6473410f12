import { createPublicClient, createWalletClient, getContract, http, parseAbiItem, parseGwei } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import { GenesisMismatchError } from '../src/index.js'
import { accounts, chain, compileToken, startNode, tempDir } from './helpers.js'

const transfer = parseAbiItem('event Transfer(address indexed from, address indexed to, uint256 value)')

describe('restart on the same data directory', () => {
  it('resumes the same head, state, receipts and logs, restores unsealed transactions, and continues', async () => {
    const dir = tempDir()
    const token = compileToken()
    const alice = privateKeyToAccount(accounts[1]!.privateKey)
    const bob = accounts[2]!.address
    try {
      let node = await startNode({ db: { path: dir.path } })
      let c = chain(node.url!)
      let pub = createPublicClient({ chain: c, transport: http(node.url), pollingInterval: 50 })
      let wallet = createWalletClient({ chain: c, transport: http(node.url), account: alice })
      const deploy = await wallet.deployContract({ abi: token.abi, bytecode: token.bytecode, args: [1000n] })
      const address = (await pub.waitForTransactionReceipt({ hash: deploy })).contractAddress!
      const erc20 = () => getContract({ address, abi: token.abi, client: { public: pub, wallet } })
      const sent = await erc20().write.transfer!([bob, 10n])
      const receipt = await pub.waitForTransactionReceipt({ hash: sent })
      // A transaction waiting for its nonce gap: admitted, not sealed.
      const nonce = await pub.getTransactionCount({ address: alice.address })
      const fees = { maxFeePerGas: parseGwei('20'), maxPriorityFeePerGas: parseGwei('1'), gas: 21_000n }
      const queued = await wallet.sendTransaction({ to: bob, value: 7n, nonce: nonce + 1, ...fees })
      const head = await pub.getBlock()
      const logs = await pub.getLogs({ address, event: transfer, fromBlock: 0n })
      const balance = await pub.getBalance({ address: bob })
      await node.stop()

      node = await startNode({ db: { path: dir.path } })
      c = chain(node.url!)
      pub = createPublicClient({ chain: c, transport: http(node.url), pollingInterval: 50 })
      wallet = createWalletClient({ chain: c, transport: http(node.url), account: alice })
      expect(await pub.getBlock()).toEqual(head)
      expect(await pub.getTransactionReceipt({ hash: sent })).toEqual(receipt)
      expect(await pub.getLogs({ address, event: transfer, fromBlock: 0n })).toEqual(logs)
      expect(await pub.getBalance({ address: bob })).toBe(balance)
      expect(await erc20().read.balanceOf!([bob])).toBe(10n)
      expect((await pub.getTransaction({ hash: queued })).blockNumber).toBeNull()

      // Continue: fill the gap, both land.
      const gap = await wallet.sendTransaction({ to: bob, value: 1n, nonce, ...fees })
      await pub.waitForTransactionReceipt({ hash: gap })
      expect((await pub.waitForTransactionReceipt({ hash: queued })).status).toBe('success')
      expect(await pub.getBalance({ address: bob })).toBe(balance + 8n)
      const more = await erc20().write.transfer!([bob, 5n])
      await pub.waitForTransactionReceipt({ hash: more })
      expect(await erc20().read.balanceOf!([bob])).toBe(15n)
      // cacheTime 0: viem otherwise answers from the block number its receipt polling cached (up to 50 ms old).
      const finalHead = await pub.getBlockNumber({ cacheTime: 0 })
      expect(finalHead).toBeGreaterThan(head.number)
      await node.stop()

      await expect(startNode({ db: { path: dir.path }, chainId: 1 })).rejects.toBeInstanceOf(GenesisMismatchError)
      node = await startNode({ db: { path: dir.path } })
      expect(await node.request('eth_blockNumber')).toBe(`0x${finalHead.toString(16)}`)
      await node.stop()
    } finally {
      dir.remove()
    }
  })

  it("drops unsealed transactions with mempoolPersistence: 'drop'", async () => {
    const dir = tempDir()
    const alice = privateKeyToAccount(accounts[1]!.privateKey)
    try {
      let node = await startNode({ db: { path: dir.path }, mempoolPersistence: 'drop' })
      const wallet = createWalletClient({ chain: chain(node.url!), transport: http(node.url), account: alice })
      const queued = await wallet.sendTransaction({
        to: accounts[2]!.address,
        value: 1n,
        nonce: 5,
        gas: 21_000n,
        maxFeePerGas: parseGwei('20'),
        maxPriorityFeePerGas: 1n,
      })
      await node.stop()
      node = await startNode({ db: { path: dir.path }, mempoolPersistence: 'drop' })
      expect(await node.request('eth_getTransactionByHash', [queued])).toBeNull()
      await node.stop()
    } finally {
      dir.remove()
    }
  })
})
