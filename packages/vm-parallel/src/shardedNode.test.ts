import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Address, Hex } from '@appchain/core'
import { bytesToHex } from '@appchain/core'
import { eip1559 } from '@appchain/gas'
import { createNode } from '@appchain/node'
import { fifo } from '@appchain/sequencer'
import { afterAll, describe, expect, it } from 'vitest'
import { CHAIN_ID, call, keys } from '../test/helpers.js'
import { parallelVm } from './parallelVm.js'
import { game } from './programs/game.js'
import { nativeToken } from './programs/nativeToken.js'

const people = keys(4, 'node-sharded')
const token = nativeToken({ authority: people[0]!.address })
const g = game({ gridSize: 4n })
// Every block with a transaction runs in the shards.
const vm = parallelVm({ programs: [token, g], workers: 2, shardedState: true, minParallel: 1 })
// Counts the blocks the node had executed in the shards (the sequencer calls the VM's executeBlock).
let shardedBlocks = 0
const executeBlock = vm.executeBlock
vm.executeBlock = async (input) => {
  const out = await executeBlock(input)
  if (vm.lastStats()?.timings.shardRoot !== undefined) shardedBlocks++
  return out
}

type Rpc = (method: string, params: unknown[]) => Promise<unknown>
const rpcOf =
  (url: string): Rpc =>
  async (method, params) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    })
    const body = (await res.json()) as { result?: unknown; error?: { message: string } }
    if (body.error) throw new Error(body.error.message)
    return body.result
  }

async function receipt(rpc: Rpc, hash: Hex): Promise<{ status: string; blockNumber: string }> {
  for (;;) {
    const r = (await rpc('eth_getTransactionReceipt', [hash])) as { status: string; blockNumber: string } | null
    if (r) return r
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

function start(path: string) {
  return createNode({
    chainId: Number(CHAIN_ID),
    vm,
    gas: eip1559({ initialBaseFee: 1n }),
    sequencer: { blockTimeMs: 100, ordering: fifo() },
    db: { path },
    rpc: { port: 0 },
    genesis: { alloc: Object.fromEntries(people.map((p) => [p.address, { balance: 10n ** 20n }])) },
    logger: { level: 'silent' },
    processMetrics: false,
  })
}

describe('a node on the parallel VM with shardedState (openState)', () => {
  const dirs: string[] = []
  afterAll(async () => {
    await vm.close()
    for (const d of dirs) await rm(d, { recursive: true, force: true })
  })

  it('seals blocks executed in the shards, and restarts at the head root with the same accounts and records', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'node-vm-sharded-'))
    dirs.push(dir)
    const path = join(dir, 'chain')
    let node = await start(path)
    try {
      const rpc = rpcOf(node.url!)
      // The node opened the VM's own state (not its default createStateDb).
      expect((node.state as { shardCount?: number }).shardCount).toBe(2)
      const nonces = people.map(() => 0n)
      const raws: Uint8Array[] = []
      for (let i = 0; i < 4; i++) {
        const key = people[i]!
        raws.push(call(g, 'join', { x: BigInt(i), y: 1n }, key, nonces[i]!++))
        raws.push(
          call(token, 'transfer', { to: people[(i + 1) % 4]!.address, amount: 1000n + BigInt(i) }, key, nonces[i]!++),
        )
      }
      const hashes: Hex[] = []
      for (const raw of raws) hashes.push((await rpc('eth_sendRawTransaction', [bytesToHex(raw)])) as Hex)
      for (const h of hashes) expect((await receipt(rpc, h)).status).toBe('0x1')
      expect(shardedBlocks).toBeGreaterThan(0)
      const shardedBefore = shardedBlocks
      const head = (await rpc('eth_getBlockByNumber', ['latest', false])) as { number: Hex; stateRoot: Hex }
      const before = await Promise.all(people.map((p) => node.state.getAccount(p.address)))
      await node.stop()

      node = await start(path)
      const again = rpcOf(node.url!)
      expect((node.state as { shardCount?: number }).shardCount).toBe(2)
      const resumed = (await again('eth_getBlockByNumber', ['latest', false])) as { number: Hex; stateRoot: Hex }
      expect(BigInt(resumed.number)).toBeGreaterThanOrEqual(BigInt(head.number))
      expect(await node.state.root()).toBe(resumed.stateRoot)
      // Empty blocks after the head leave the state as it was.
      for (let i = 0; i < 4; i++) expect(await node.state.getAccount(people[i]!.address as Address)).toEqual(before[i])
      const state = (await again('appchain_getProgramState', ['game', people[2]!.address])) as {
        record: Record<string, Hex>
      }
      expect(Object.keys(state.record).length).toBeGreaterThan(0)
      // And it goes on: two more transactions, executed in the shards after the restart.
      const more = [
        call(token, 'transfer', { to: people[3]!.address, amount: 5n }, people[0]!, nonces[0]!++),
        call(g, 'gather', {}, people[1]!, nonces[1]!++),
      ]
      const moreHashes: Hex[] = []
      for (const raw of more) moreHashes.push((await again('eth_sendRawTransaction', [bytesToHex(raw)])) as Hex)
      for (const h of moreHashes) expect((await receipt(again, h)).status).toBe('0x1')
      expect(shardedBlocks).toBeGreaterThan(shardedBefore)
      const last = (await again('eth_getBlockByNumber', ['latest', false])) as { stateRoot: Hex }
      expect(await node.state.root()).toBe(last.stateRoot)
    } finally {
      await node.stop()
    }
  }, 60_000)
})
