import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { type Address, BaseError, type Hex, keccak256, memoryDb } from '@appchain/core'
import { createStateDb } from '@appchain/state'
import type { EvmBlockContext } from './blockContext.js'
import { decodeSignedTx } from './decodeSignedTx.js'
import { ethereumFees } from './ethereumFees.js'
import { type EvmVm, evmVm } from './evmVm.js'
import type { Hardfork } from './hardfork.js'
import { toHex as bytesToHex, fromHex as hexToBytes } from './hex.js'
import { logsHash } from './receipts.js'

/** One file of ethereum/tests GeneralStateTests. */
export type StateTestFile = Record<string, StateTest>

export interface StateTest {
  env: Record<string, Hex>
  pre: Record<Address, { balance: Hex; nonce: Hex; code: Hex; storage: Record<Hex, Hex> }>
  transaction: Record<string, unknown>
  post: Record<
    string,
    {
      indexes: { data: number; gas: number; value: number }
      hash: Hex
      logs: Hex
      txbytes: Hex
      expectException?: string
    }[]
  >
}

/** The outcome of one post-state variant. */
export type VariantResult =
  | { status: 'passed' }
  | { status: 'failed'; reason: string }
  | { status: 'skipped'; reason: string }

/**
 * Variants we skip, each with its reason. Blob (type 3) transactions are refused by design: an L2 has
 * no blob market, so the VM rejects them at decoding, and their post states cannot be reached.
 */
export function skipReason(variant: { txbytes: Hex }): string | undefined {
  if (variant.txbytes.startsWith('0x03')) return 'blob (type 3) transactions are refused: an L2 has no blob market'
  return undefined
}

const FORKS: Record<string, Hardfork> = { Shanghai: 'shanghai', Cancun: 'cancun', Prague: 'prague' }

/** geth's state-test BLOCKHASH: keccak256 of the decimal block number. */
function testBlockHash(n: bigint): Hex {
  return bytesToHex(keccak256(new TextEncoder().encode(n.toString())))
}

function contextOf(env: Record<string, Hex>): EvmBlockContext {
  return {
    chainId: 1n,
    number: BigInt(env.currentNumber ?? '0x0'),
    timestamp: BigInt(env.currentTimestamp ?? '0x0'),
    coinbase: (env.currentCoinbase ?? '0x0000000000000000000000000000000000000000').toLowerCase() as Address,
    gasLimit: BigInt(env.currentGasLimit ?? '0x0'),
    fees: { baseFeePerGas: BigInt(env.currentBaseFee ?? '0x0') },
    prevRandao: `0x${BigInt(env.currentRandom ?? env.currentDifficulty ?? '0x0')
      .toString(16)
      .padStart(64, '0')}` as Hex,
    parentHash: `0x${'0'.repeat(64)}`,
    excessBlobGas: BigInt(env.currentExcessBlobGas ?? '0x0'),
    getBlockHash: testBlockHash,
  }
}

/**
 * Runs one post-state variant of a state test through `vm` on a fresh `@appchain/state` StateDb, and
 * compares the post state root and the logs hash.
 */
export async function runVariant(vm: EvmVm, test: StateTest, fork: string, index: number): Promise<VariantResult> {
  const variant = test.post[fork]![index]!
  const skip = skipReason(variant)
  if (skip) return { status: 'skipped', reason: skip }
  const hardfork = FORKS[fork]!
  const state = createStateDb({ db: memoryDb() })
  const alloc: Parameters<EvmVm['genesis']>[0] = {}
  for (const [address, a] of Object.entries(test.pre)) {
    alloc[address as Address] = { balance: BigInt(a.balance), nonce: BigInt(a.nonce), code: a.code, storage: a.storage }
  }
  await vm.genesis(alloc, state)
  const ctx = contextOf(test.env)
  let logs: Hex = logsHash([])
  let rejected: string | undefined
  let tx: ReturnType<typeof decodeSignedTx> | undefined
  try {
    tx = decodeSignedTx(hexToBytes(variant.txbytes), { chainId: 1n, hardfork, allowUnprotected: true })
  } catch (e) {
    if (!(e instanceof BaseError)) throw e
    rejected = e.shortMessage
  }
  let root: Hex
  if (tx) {
    const result = await vm.executeBlock({
      ctx,
      deposits: [],
      txs: [tx],
      state,
      gas: ethereumFees({ baseFeePerGas: ctx.fees.baseFeePerGas }),
    })
    if (result.excluded.length) rejected = result.excluded[0]!.error.shortMessage
    else logs = logsHash(result.receipts[0]!.logs)
    root = result.stateRoot
  } else {
    root = await state.root()
  }
  if (variant.expectException && rejected === undefined)
    return { status: 'failed', reason: `accepted, expected ${variant.expectException}` }
  if (!variant.expectException && rejected !== undefined) return { status: 'failed', reason: `rejected: ${rejected}` }
  if (root !== variant.hash) return { status: 'failed', reason: `state root ${root} != ${variant.hash}` }
  if (logs !== variant.logs) return { status: 'failed', reason: `logs hash ${logs} != ${variant.logs}` }
  return { status: 'passed' }
}

/** Every `.json` file under the given files or directories, sorted. */
export function findStateTestFiles(paths: readonly string[]): string[] {
  const out: string[] = []
  const walk = (p: string) => {
    if (statSync(p).isDirectory()) for (const f of readdirSync(p).sort()) walk(join(p, f))
    else if (p.endsWith('.json')) out.push(p)
  }
  for (const p of paths) walk(p)
  return out
}

/** Counts of a run, and one line per failure. */
export interface StateTestSummary {
  passed: number
  failed: number
  skipped: number
  failures: string[]
}

/**
 * Runs every variant of every state test in `files` for `fork` (default Cancun).
 *
 * @example
 * ```ts
 * const summary = await runStateTests(findStateTestFiles(['../shared/fixtures/state-tests']))
 * console.log(`${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped`)
 * ```
 */
export async function runStateTests(
  files: readonly string[],
  opts: { fork?: string; onFailure?: (line: string) => void } = {},
): Promise<StateTestSummary> {
  const fork = opts.fork ?? 'Cancun'
  const hardfork = FORKS[fork]
  if (!hardfork) throw new RangeError(`Unsupported fork ${fork}: expected one of ${Object.keys(FORKS).join(', ')}`)
  const vm = evmVm({ hardfork, allowUnprotected: true, predeploys: false, recovery: { workers: 0 } })
  const summary: StateTestSummary = { passed: 0, failed: 0, skipped: 0, failures: [] }
  try {
    for (const file of files) {
      const json = JSON.parse(readFileSync(file, 'utf8')) as StateTestFile
      for (const [name, test] of Object.entries(json)) {
        const variants = test.post[fork] ?? []
        for (let i = 0; i < variants.length; i++) {
          const { data, gas, value } = variants[i]!.indexes
          let r: VariantResult
          try {
            r = await runVariant(vm, test, fork, i)
          } catch (e) {
            r = { status: 'failed', reason: `threw ${(e as Error).stack?.split('\n').slice(0, 3).join(' | ')}` }
          }
          if (r.status === 'passed') summary.passed++
          else if (r.status === 'skipped') summary.skipped++
          else {
            summary.failed++
            const line = `FAIL ${file} ${name} ${fork}[d${data},g${gas},v${value}]: ${r.reason}`
            summary.failures.push(line)
            opts.onFailure?.(line)
          }
        }
      }
    }
  } finally {
    await vm.close()
  }
  return summary
}
