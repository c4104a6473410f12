import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { createPublicClient, createWalletClient, http, parseEther } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import { TEST_MNEMONIC } from '../src/index.js'
import { chain, tempDir } from './helpers.js'

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url))
// Absolute, so the child finds tsx whatever its working directory.
const tsxLoader = pathToFileURL(
  createRequire(import.meta.url)
    .resolve('tsx/package.json')
    .replace(/package\.json$/, 'dist/loader.mjs'),
).href

/** Runs the CLI from source as `node cli.js` would run (tsx loads the .ts; workspace imports resolve to src). */
function run(args: string[], cwd?: string) {
  const child = spawn(process.execPath, ['--conditions', 'source', '--import', tsxLoader, cli, ...args], {
    cwd,
    env: { ...process.env, NODE_ENV: 'production' },
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => (stdout += d))
  child.stderr.on('data', (d) => (stderr += d))
  const firstLine = new Promise<string>((resolve, reject) => {
    const check = () => {
      const nl = stdout.indexOf('\n')
      if (nl >= 0) resolve(stdout.slice(0, nl))
    }
    child.stdout.on('data', check)
    child.once('exit', (code) => reject(new Error(`exited with ${code} before printing: ${stderr}`)))
  })
  const exited = new Promise<number | string | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal)),
  )
  return { child, firstLine, exited, output: () => ({ stdout, stderr }) }
}

const stop = async (p: { child: ChildProcessWithoutNullStreams; exited: Promise<number | string | null> }) => {
  if (p.child.exitCode === null) p.child.kill('SIGTERM')
  return p.exited
}

describe('appchain CLI', () => {
  it('appchain dev --json --port 0 prints one JSON line, serves the dev accounts, and stops cleanly on SIGTERM', async () => {
    const p = run(['dev', '--json', '--port', '0', '--in-memory', '--block-time', '50'])
    try {
      const info = JSON.parse(await p.firstLine)
      expect(info.rpcUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      expect(info.wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/)
      expect(info.chainId).toBe(31337)
      expect(info.accounts).toHaveLength(10)
      expect(info.accounts[0].address).toBe('0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266')
      const c = { ...chain(info.rpcUrl), id: 31337 }
      const pub = createPublicClient({ chain: c, transport: http(info.rpcUrl), pollingInterval: 50 })
      for (const a of info.accounts) expect(await pub.getBalance({ address: a.address })).toBe(parseEther('10000'))
      const wallet = createWalletClient({
        chain: c,
        transport: http(info.rpcUrl),
        account: privateKeyToAccount(info.accounts[0].privateKey),
      })
      const hash = await wallet.sendTransaction({ to: info.accounts[1].address, value: parseEther('1') })
      expect((await pub.waitForTransactionReceipt({ hash })).status).toBe('success')
      expect(await stop(p)).toBe(0)
      expect(p.output().stdout.trim().split('\n')).toHaveLength(1)
    } finally {
      await stop(p)
    }
  })

  it('appchain dev prints the accounts and keeps data under ./.appchain; appchain start runs a config file', async () => {
    // Inside the workspace, so the config file resolves @appchain/* like a scaffolded project does.
    const dir = tempDir(fileURLToPath(new URL('.', import.meta.url)))
    try {
      const p = run(['dev', '--port', '0'], dir.path)
      const out = await expect
        .poll(() => p.output().stdout, { timeout: 30_000 })
        .toMatch(/JSON-RPC: http:\/\/127\.0\.0\.1:\d+/)
        .then(() => p.output().stdout)
      expect(out).toContain('(9) 0xa0Ee7A142d267C1f36714E4a8F75612F20a79720')
      expect(out).toContain(TEST_MNEMONIC)
      expect(await stop(p), p.output().stderr).toBe(0)
      const { existsSync } = await import('node:fs')
      expect(existsSync(join(dir.path, '.appchain', 'CURRENT'))).toBe(true)

      writeFileSync(
        join(dir.path, 'appchain.config.ts'),
        `import { defineConfig } from '@appchain/node'
import { evmVm } from '@appchain/vm-evm'
import { eip1559 } from '@appchain/gas'
const chainId: number = 777
export default defineConfig({ chainId, vm: evmVm(), gas: eip1559(), db: { inMemory: true }, rpc: { port: 0 }, logger: { level: 'warn' } })
`,
      )
      const s = run(['start', '--config', 'appchain.config.ts', '--json'], dir.path)
      try {
        const info = JSON.parse(await s.firstLine)
        const res = await fetch(info.rpcUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}',
        })
        expect(((await res.json()) as { result: string }).result).toBe('0x309')
        expect(await stop(s)).toBe(0)
      } finally {
        await stop(s)
      }
    } finally {
      dir.remove()
    }
  })
})
