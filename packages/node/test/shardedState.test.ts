import type { Hex } from '@appchain/core'
import { createShardedStateDb, type ShardedStateDb } from '@appchain/state'
import { evmVm } from '@appchain/vm-evm'
import { createPublicClient, createWalletClient, getContract, http, parseGwei } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import { type AppchainNode, GenesisMismatchError, type NodeConfig } from '../src/index.js'
import { accounts, chain, compileToken, startNode, tempDir } from './helpers.js'

const alice = privateKeyToAccount(accounts[1]!.privateKey)
const receivers = [accounts[2]!.address, accounts[3]!.address, '0x00000000000000000000000000000000000b0b00'] as const
const fees = { maxFeePerGas: parseGwei('20'), maxPriorityFeePerGas: parseGwei('1') }

/**
 * Sends the same transactions one block at a time (each waits for its receipt, so every node seals the same
 * blocks): three ETH transfers, then an ERC-20 deploy and a token transfer (storage in the shards). Checks the
 * balances after each block; returns each block's state root.
 */
async function drive(node: AppchainNode, token: { abi: unknown[]; bytecode: Hex }) {
  const c = chain(node.url!)
  const pub = createPublicClient({ chain: c, transport: http(node.url), pollingInterval: 20 })
  const wallet = createWalletClient({ chain: c, transport: http(node.url), account: alice })
  const roots: Hex[] = []
  const record = async (hash: Hex) => {
    const r = await pub.waitForTransactionReceipt({ hash })
    expect(r.status).toBe('success')
    roots.push((await pub.getBlock({ blockNumber: r.blockNumber })).stateRoot)
    return r
  }
  for (const [i, to] of receivers.entries()) {
    const before = await pub.getBalance({ address: to, blockTag: 'latest' })
    const r = await record(await wallet.sendTransaction({ to, value: BigInt(i + 1) * 1000n, ...fees }))
    expect(await pub.getBalance({ address: to, blockNumber: r.blockNumber })).toBe(before + BigInt(i + 1) * 1000n)
  }
  const deploy = await record(await wallet.deployContract({ abi: token.abi, bytecode: token.bytecode, args: [1000n] }))
  const address = deploy.contractAddress!
  const erc20 = getContract({ address, abi: token.abi, client: { public: pub, wallet } })
  await record(await erc20.write.transfer!([receivers[2], 25n], fees))
  expect(await erc20.read.balanceOf!([receivers[2]])).toBe(25n)
  expect(await erc20.read.balanceOf!([alice.address])).toBe(975n)
  return { roots, address, pub }
}

describe('a node on the sharded state (createShardedStateDb, 2 worker shards)', () => {
  it('seals the default state roots, resumes at the head root after a restart, and closes the shards', async () => {
    const token = compileToken()
    const dir = tempDir()
    const opened: { root: Hex | undefined; state: ShardedStateDb }[] = []
    const sharded: NodeConfig['state'] = async (db, { root }) => {
      const state = await createShardedStateDb({ db, shards: 2, root })
      opened.push({ root, state })
      return state
    }
    let node: AppchainNode | undefined
    try {
      // The same transactions on the default state, for the reference roots.
      node = await startNode()
      const reference = await drive(node, token)
      await node.stop()

      node = await startNode({ db: { path: dir.path }, state: sharded })
      expect(opened[0]!.root).toBeUndefined() // a fresh chain
      const run = await drive(node, token)
      expect(run.roots).toEqual(reference.roots)
      expect(run.address).toBe(reference.address)
      const head = await run.pub.getBlock()
      const balances = await Promise.all(receivers.map((address) => run.pub.getBalance({ address })))
      await node.stop()
      // stop() closed the shards: their workers are gone.
      await expect(opened[0]!.state.getAccount(receivers[0])).rejects.toMatchObject({ name: 'WorkerPoolClosedError' })

      node = await startNode({ db: { path: dir.path }, state: sharded })
      expect(opened[1]!.root).toBe(head.stateRoot) // resumed at the head's root
      const c = chain(node.url!)
      const pub = createPublicClient({ chain: c, transport: http(node.url), pollingInterval: 20 })
      expect(await pub.getBlock()).toEqual(head)
      expect(await node.state.root()).toBe(head.stateRoot)
      expect(await Promise.all(receivers.map((address) => pub.getBalance({ address })))).toEqual(balances)
      const erc20 = getContract({ address: run.address, abi: token.abi, client: pub })
      expect(await erc20.read.balanceOf!([receivers[2]])).toBe(25n)
      // And it continues on the resumed shards.
      const wallet = createWalletClient({ chain: c, transport: http(node.url), account: alice })
      const hash = await wallet.sendTransaction({ to: receivers[0], value: 1n, ...fees })
      expect((await pub.waitForTransactionReceipt({ hash })).status).toBe('success')
      expect(await pub.getBalance({ address: receivers[0], blockTag: 'latest' })).toBe(balances[0]! + 1n)
      await node.stop()
      node = undefined

      // A failed start (another chain id on this directory) closes the state it opened.
      await expect(startNode({ db: { path: dir.path }, state: sharded, chainId: 1 })).rejects.toBeInstanceOf(
        GenesisMismatchError,
      )
      expect(opened).toHaveLength(3)
      await expect(opened[2]!.state.getAccount(receivers[0])).rejects.toMatchObject({ name: 'WorkerPoolClosedError' })
    } finally {
      await node?.stop()
      await Promise.all(opened.map((o) => o.state.close()))
      dir.remove()
    }
  })
})

describe("a VM's own state (Vm.openState)", () => {
  it('is opened when the config names no state, resumed at the head root, and loses to config.state', async () => {
    const dir = tempDir()
    const opened: { root: Hex | undefined; state: ShardedStateDb }[] = []
    // An EVM that prefers the in-thread sharded state: the node must open it (not its default) and close it.
    const vm = Object.assign(evmVm(), {
      async openState(db: Parameters<NonNullable<NodeConfig['state']>>[0], { root }: { root?: Hex | undefined }) {
        const state = await createShardedStateDb({ db, root })
        opened.push({ root, state })
        return state
      },
    })
    let node: AppchainNode | undefined
    try {
      node = await startNode({ db: { path: dir.path }, vm })
      expect(opened).toHaveLength(1)
      expect(opened[0]!.root).toBeUndefined()
      expect(node.state).toBe(opened[0]!.state)
      const c = chain(node.url!)
      const pub = createPublicClient({ chain: c, transport: http(node.url), pollingInterval: 20 })
      const wallet = createWalletClient({ chain: c, transport: http(node.url), account: alice })
      const hash = await wallet.sendTransaction({ to: receivers[2], value: 7n, ...fees })
      expect((await pub.waitForTransactionReceipt({ hash })).status).toBe('success')
      const head = await pub.getBlock()
      await node.stop()
      node = undefined

      node = await startNode({ db: { path: dir.path }, vm })
      expect(opened).toHaveLength(2)
      expect(opened[1]!.root).toBe(head.stateRoot)
      expect(await node.state.root()).toBe(head.stateRoot)
      expect(await node.state.getAccount(receivers[2])).toMatchObject({ balance: 7n })
      await node.stop()
      node = undefined

      // config.state wins over the VM's.
      let custom = 0
      node = await startNode({
        db: { path: dir.path },
        vm,
        state: async (db, { root }) => {
          custom++
          return createShardedStateDb({ db, root })
        },
      })
      expect(custom).toBe(1)
      expect(opened).toHaveLength(2)
    } finally {
      await node?.stop()
      await Promise.all(opened.map((o) => o.state.close()))
      dir.remove()
    }
  })
})
