import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { eip1559 } from '@appchain/gas'
import { priorityFee } from '@appchain/sequencer'
import { evmVm } from '@appchain/vm-evm'
import type { Address, Hex } from 'viem'
import { createNode, devAccounts, fundAccounts } from '../src/index.js'

/** Our node in a child process (bench/server.ts), so the load generator never shares its event loop. */
export async function spawnAppchain(opts: { name: string; inMemory: boolean; fund: Address[] }): Promise<Target> {
  const server = new URL('./server.ts', import.meta.url).pathname
  const extra = process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(' ') : []
  const child = spawn(process.execPath, [...extra, '--conditions', 'source', '--import', 'tsx', server], {
    env: { ...process.env, BENCH_FUND: JSON.stringify(opts.fund), BENCH_IN_MEMORY: opts.inMemory ? '1' : '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const line = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (d) => {
      out += d
      const nl = out.indexOf('\n')
      if (nl >= 0) resolve(out.slice(0, nl))
    })
    child.once('exit', (code) => reject(new Error(`bench node exited with ${code}`)))
  })
  const { url, wsUrl } = JSON.parse(line) as { url: string; wsUrl: string }
  return {
    name: opts.name,
    url,
    wsUrl,
    preconfirmations: true,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      await exited
    },
  }
}

/** A running JSON-RPC endpoint under test. */
export interface Target {
  name: string
  url: string
  wsUrl: string
  preconfirmations: boolean
  /**
   * anvil's automine mines only when a transaction arrives, one gas-limit's worth at a time: after a burst it
   * leaves the rest pending for ever. The bench calls this (evm_mine) when no receipt showed up for 250 ms.
   */
  nudge?: (() => Promise<void>) | undefined
  stop(): Promise<void>
}

export const CHAIN_ID = 31337
export const BLOCK_TIME_MS = 100

/** Our node as `appchain dev` runs it, with the bench senders funded in genesis. */
export async function startAppchain(opts: { name: string; inMemory: boolean; fund: Address[] }): Promise<Target> {
  const dir = opts.inMemory ? undefined : mkdtempSync(join(tmpdir(), 'appchain-bench-'))
  const dev = devAccounts(1)
  const node = await createNode({
    chainId: CHAIN_ID,
    vm: evmVm(),
    gas: eip1559(),
    sequencer: {
      blockTimeMs: BLOCK_TIME_MS,
      ordering: priorityFee(),
      preconf: { privateKey: dev[0]!.privateKey },
      mempool: { maxCount: 50_000 },
    },
    db: dir ? { path: dir } : { inMemory: true },
    rpc: { port: 0 },
    genesis: { alloc: fundAccounts(opts.fund, 100n * 10n ** 18n) },
    logger: { level: 'warn', pretty: false },
    processMetrics: false,
  })
  return {
    name: opts.name,
    url: node.url!,
    wsUrl: node.wsUrl!,
    preconfirmations: true,
    async stop() {
      await node.stop()
      if (dir) rmSync(dir, { recursive: true, force: true })
    },
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

function anvilBinary(): string {
  const require = createRequire(import.meta.url)
  const pkg = `@foundry-rs/anvil-${process.platform}-${process.arch === 'x64' ? 'amd64' : process.arch}`
  return join(require.resolve(`${pkg}/package.json`), '..', 'bin', 'anvil')
}

/** anvil from @foundry-rs/anvil on a free loopback port; the senders funded with anvil_setBalance. */
export async function startAnvil(opts: { name: string; args: string[]; fund: Address[] }): Promise<Target> {
  const port = await freePort()
  const child: ChildProcess = spawn(
    anvilBinary(),
    ['--host', '127.0.0.1', '--port', String(port), '--silent', '--chain-id', String(CHAIN_ID), ...opts.args],
    {
      stdio: 'ignore',
    },
  )
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 20_000
  for (;;) {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}',
      })
      if (res.ok) break
    } catch {
      if (Date.now() > deadline) throw new Error('anvil did not start')
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  const batch = opts.fund.map((a, i) => ({
    jsonrpc: '2.0',
    id: i,
    method: 'anvil_setBalance',
    params: [a, `0x${(100n * 10n ** 18n).toString(16)}`],
  }))
  await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(batch) })
  return {
    name: opts.name,
    url,
    wsUrl: `ws://127.0.0.1:${port}`,
    preconfirmations: false,
    nudge: opts.args.includes('--block-time')
      ? undefined
      : async () => {
          await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{"jsonrpc":"2.0","id":1,"method":"evm_mine"}',
            signal: AbortSignal.timeout(5000),
          }).catch(() => {})
        },
    async stop() {
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      await exited
    },
  }
}

export type { Hex }
