import { eip1559 } from '@appchain/gas'
import { createNode } from '@appchain/node'
import { fifo } from '@appchain/sequencer'
import { cellAddress, game, nativeToken, parallelVm } from '@appchain/vm-parallel'
import { createWalletClient, hexToString, http, publicActions } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { UnknownProgramMethodError } from '../errors.js'
import { appchainActions } from './appchainActions.js'

const account = privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80')
const friend = '0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc'
let node: Awaited<ReturnType<typeof createNode>>
const vm = parallelVm({ programs: [nativeToken({ authority: account.address }), game({ gridSize: 16n })], workers: 1 })

beforeAll(async () => {
  // The real node: JSON-RPC on 127.0.0.1 port 0, the parallel VM on one worker thread, blocks every 50 ms.
  node = await createNode({
    chainId: 4242,
    vm,
    gas: eip1559({ initialBaseFee: 1_000n }),
    sequencer: { blockTimeMs: 50, ordering: fifo() },
    db: { inMemory: true },
    rpc: { port: 0 },
    genesis: { alloc: { [account.address]: { balance: 10n ** 21n } } },
    logger: { level: 'silent' },
    processMetrics: false,
  })
})
afterAll(async () => {
  await node?.stop()
  await vm.close()
})

const client = () =>
  createWalletClient({ account, transport: http(node.url!) })
    .extend(publicActions)
    .extend(appchainActions())

describe('appchainActions against a node running the parallel VM', () => {
  it('lists the programs with their schemas', async () => {
    const programs = await client().getPrograms()
    expect(programs.map((p) => p.id)).toEqual(['token', 'game'])
    expect(programs[0]!.methods.find((m) => m.method === 'transfer')!.args).toEqual([
      ['to', 'address'],
      ['amount', 'uint256'],
    ])
  })

  it('sends a signed native transfer and reads the balances', async () => {
    const c = client()
    const hash = await c.sendProgramTransaction({
      program: 'token',
      method: 'transfer',
      args: { to: friend, amount: 12_345n },
      writes: [account.address, friend],
    })
    const receipt = await c.waitForProgramReceipt({ hash })
    expect(receipt.status).toBe('success')
    expect(receipt.from).toBe(account.address.toLowerCase())
    expect(receipt.logs).toHaveLength(1)
    expect(await c.getAppchainBalance({ address: friend })).toBe(12_345n)
    expect(await c.getBlockNumber()).toBeGreaterThanOrEqual(receipt.blockNumber)
    expect(await c.getChainId()).toBe(4242)
    const block = await c.getBlock({ blockNumber: receipt.blockNumber })
    expect(block.transactions).toContain(hash)
  })

  it('plays the game and reads program state', async () => {
    const c = client()
    const join = await c.sendProgramTransaction({
      program: 'game',
      method: 'join',
      args: { x: 2n, y: 3n },
      writes: [account.address, cellAddress(2n, 3n)],
    })
    // Crafting with empty pockets reverts: charged, state untouched.
    const craft = await c.sendProgramTransaction({ program: 'game', method: 'craft', args: { item: 'house' } })
    expect((await c.waitForProgramReceipt({ hash: join })).status).toBe('success')
    const failed = await c.waitForProgramReceipt({ hash: craft })
    expect(failed.status).toBe('reverted')
    expect(failed.gasUsed).toBeGreaterThan(0n)
    // The node's receipt JSON does not carry `output` (the revert reason) yet; when it does, it is UTF-8.
    if (failed.output) expect(hexToString(failed.output)).toContain('needs 4 wood')
    const state = await c.getProgramState({ program: 'game', account: account.address })
    expect(state.record).toEqual({ joined: 1n, x: 2n, y: 3n })
    expect(state.nonce).toBe(3n)
  })

  it('refuses a method the chain does not have before signing', async () => {
    await expect(
      client().prepareProgramTransaction({ program: 'game', method: 'fly', args: {} }),
    ).rejects.toBeInstanceOf(UnknownProgramMethodError)
  })
})
