#!/usr/bin/env node
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import type { NodeConfig } from './config.js'
import { type AppchainNode, CLIENT_VERSION, createNode } from './createNode.js'
import { devAccounts, fundAccounts } from './devAccounts.js'

const HELP = `appchain: run an appchain node

Usage:
  appchain dev [--port 8545] [--host 127.0.0.1] [--in-memory] [--block-time ms] [--chain-id 31337] [--data-dir ./.appchain] [--json]
  appchain start --config appchain.config.ts [--port n] [--host h]
  appchain --help | --version

dev    A ready devnet: the 10 first accounts of the standard test mnemonic with 10,000 ETH each,
       data under ./.appchain unless --in-memory. --json prints one JSON line (rpc url, ws url, chain id,
       accounts) on stdout and logs JSON to stderr.
start  Runs the node described by a config file (default export of defineConfig({...})).
`

/** Loads an `appchain.config.ts` (or .js/.mjs) through tsx, so TypeScript configs need no build step. */
export async function loadConfig(path: string): Promise<NodeConfig> {
  const url = pathToFileURL(resolve(path)).href
  const { tsImport } = await import('tsx/esm/api')
  const mod = (await tsImport(url, import.meta.url)) as { default?: unknown }
  let config = mod.default as unknown
  // tsx may wrap a CommonJS-looking module once more.
  if (config && typeof config === 'object' && 'default' in config && !('vm' in config))
    config = (config as { default: unknown }).default
  if (typeof config === 'function') config = await (config as () => unknown)()
  if (!config || typeof config !== 'object')
    throw new TypeError(`${path} must default-export a node config (defineConfig({...}))`)
  return config as NodeConfig
}

function int(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined
  const n = Number(v)
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`--${name} must be a non-negative integer, got ${v}`)
  return n
}

async function dev(args: Record<string, string | boolean | undefined>): Promise<AppchainNode> {
  const json = args.json === true
  const port = int('port', args.port as string | undefined) ?? 8545
  const blockTimeMs = int('block-time', args['block-time'] as string | undefined) ?? 250
  const chainId = int('chain-id', args['chain-id'] as string | undefined) ?? 31337
  const [{ evmVm }, { eip1559 }, { priorityFee }] = await Promise.all([
    import('@appchain/vm-evm'),
    import('@appchain/gas'),
    import('@appchain/sequencer'),
  ])
  const accounts = devAccounts(10)
  const node = await createNode({
    chainId,
    vm: evmVm(),
    gas: eip1559(),
    sequencer: { blockTimeMs, ordering: priorityFee(), preconf: { privateKey: accounts[0]!.privateKey } },
    db:
      args['in-memory'] === true
        ? { inMemory: true }
        : { path: (args['data-dir'] as string | undefined) ?? './.appchain' },
    rpc: { port, host: (args.host as string | undefined) ?? '127.0.0.1' },
    genesis: { alloc: fundAccounts(accounts.map((a) => a.address)) },
    logger: json ? { level: 'info', pretty: false, destination: process.stderr } : { level: 'info' },
  })
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ rpcUrl: node.url, wsUrl: node.wsUrl, chainId, accounts: accounts.map((a) => ({ address: a.address, privateKey: a.privateKey })) })}\n`,
    )
  } else {
    const lines = [
      '',
      `  ${CLIENT_VERSION} dev chain`,
      '',
      '  Available accounts (10,000 ETH each)',
      '  ===================',
      ...accounts.map((a, i) => `  (${i}) ${a.address}`),
      '',
      '  Private keys',
      '  ===================',
      ...accounts.map((a, i) => `  (${i}) ${a.privateKey}`),
      '',
      '  Mnemonic: test test test test test test test test test test test junk',
      '',
      `  Chain id: ${chainId}   Block time: ${blockTimeMs} ms   Data: ${args['in-memory'] === true ? 'in memory' : ((args['data-dir'] as string | undefined) ?? './.appchain')}`,
      `  JSON-RPC: ${node.url}   WebSocket: ${node.wsUrl}   Metrics: ${node.url}/metrics`,
      '',
    ]
    process.stdout.write(`${lines.join('\n')}\n`)
  }
  return node
}

async function start(args: Record<string, string | boolean | undefined>): Promise<AppchainNode> {
  const path = (args.config as string | undefined) ?? 'appchain.config.ts'
  const config = await loadConfig(path)
  const port = int('port', args.port as string | undefined)
  const rpc =
    config.rpc === false
      ? false
      : {
          ...(config.rpc ?? {}),
          ...(port === undefined ? {} : { port }),
          ...(args.host ? { host: args.host as string } : {}),
        }
  const json = args.json === true
  // With --json, stdout carries only the one JSON line: logs go to stderr.
  const logger =
    json && (config.logger === undefined || !('child' in config.logger))
      ? { ...(config.logger ?? {}), pretty: false, destination: process.stderr }
      : config.logger
  const node = await createNode({ ...config, rpc, ...(logger === undefined ? {} : { logger }) })
  if (json) {
    process.stdout.write(`${JSON.stringify({ rpcUrl: node.url, wsUrl: node.wsUrl, chainId: Number(node.chainId) })}\n`)
  }
  return node
}

/** Runs the CLI with `argv` (without node and script); resolves once the node runs. */
export async function main(argv: string[]): Promise<AppchainNode | undefined> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string', short: 'p' },
      host: { type: 'string' },
      'in-memory': { type: 'boolean' },
      'block-time': { type: 'string' },
      'chain-id': { type: 'string' },
      'data-dir': { type: 'string' },
      json: { type: 'boolean' },
      config: { type: 'string', short: 'c' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  })
  if (values.version) {
    process.stdout.write(`${CLIENT_VERSION}\n`)
    return undefined
  }
  const command = positionals[0]
  if (values.help || !command) {
    process.stdout.write(HELP)
    return undefined
  }
  if (command === 'dev') return dev(values)
  if (command === 'start') return start(values)
  throw new TypeError(`Unknown command ${JSON.stringify(command)}. Run appchain --help.`)
}

/**
 * Runs the CLI as a program: parses `process.argv`, starts the node, and stops it cleanly on SIGINT/SIGTERM
 * (a second signal exits at once). The `appchain` bin calls this.
 *
 * @example
 * ```ts
 * import { run } from '@appchain/node/cli'
 * run()
 * ```
 */
export function run(): void {
  // Signals are handled from the first moment: one arriving while the node starts stops it once it is up.
  let node: AppchainNode | undefined
  let signalled: string | undefined
  const shutdown = (signal: string) => {
    if (signalled) process.exit(1) // second Ctrl-C: give up waiting
    signalled = signal
    if (!node) return
    node.logger.info({ signal }, 'shutting down')
    node.stop().then(
      () => process.exit(0),
      (err) => {
        process.stderr.write(`${String(err)}\n`)
        process.exit(1)
      },
    )
  }
  process.on('SIGINT', () => shutdown('SIGINT'))
  process.on('SIGTERM', () => shutdown('SIGTERM'))
  main(process.argv.slice(2)).then(
    (started) => {
      if (!started) process.exit(0)
      node = started
      if (signalled) {
        const s = signalled
        signalled = undefined
        shutdown(s)
      }
    },
    (err) => {
      process.stderr.write(`appchain: ${err instanceof Error ? err.message : String(err)}\n`)
      process.exit(1)
    },
  )
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href
if (isMain) run()
