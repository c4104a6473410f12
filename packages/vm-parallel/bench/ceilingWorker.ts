import type { Address } from '@appchain/core'
import { KECCAK_EMPTY } from '@appchain/core'
import { serveWorker } from '@appchain/core/workers'
import { createTrie, encodeAccount, keccak256, keccakReady } from '@appchain/state'
import { createExecutor, type ExecTx, type Store } from '../src/executor.js'
import type { ProgramSpec } from '../src/program.js'
import { createRegistry } from '../src/registry.js'
import { createSandbox, type Sandbox } from '../src/sandbox.js'

// Worker of bench/ceiling.ts: runs `count` units of one kind of work on its own, with nothing shared and no
// messages while it runs, and reports its wall time. The kinds are the parallel VM's kinds of work.
await keccakReady()
const EMPTY_ROOT = keccak256(Uint8Array.of(0x80))
let programs: { sandbox: Sandbox; infos: ReturnType<typeof createRegistry>['infos'] } | undefined

export type CeilingKind = 'keccak' | 'trie' | 'program'
export interface CeilingTask {
  kind: CeilingKind
  /** Which worker (distinct inputs per worker). */
  w: number
  count: number
  specs: ProgramSpec[]
}

/** keccak of a 532-byte branch-sized input: compute, and only the 32-byte digest allocated. */
function hashes(count: number, w: number): void {
  const data = new Uint8Array(532).fill(w)
  for (let i = 0; i < count; i++) {
    data[0] = i & 0xff
    data[1] = i >> 8
    data.set(keccak256(data), 2)
  }
}

/** `count` new accounts into a fresh trie of @appchain/state, then its root (what a block's state root does). */
function trie(count: number, w: number): void {
  const t = createTrie()
  const seed = new Uint8Array(24)
  seed[0] = w
  const puts: [Uint8Array, Uint8Array][] = []
  for (let i = 0; i < count; i++) {
    new DataView(seed.buffer).setUint32(4, i)
    const h = keccak256(seed)
    const path = new Uint8Array(64)
    for (let j = 0; j < 64; j++) path[j] = j & 1 ? h[j >> 1]! & 0x0f : h[j >> 1]! >> 4
    puts.push([
      path,
      encodeAccount({ nonce: BigInt(i), balance: 10n ** 18n + BigInt(i), codeHash: KECCAK_EMPTY }, EMPTY_ROOT),
    ])
  }
  t.putPaths(puts)
  if (t.rootHash().length !== 32) throw new Error('root is not 32 bytes')
}

/** `count` native-token transfers through the real executor and sandbox (locking mode), against a map store. */
function transfers(count: number, w: number, specs: ProgramSpec[]): void {
  programs ??= { sandbox: createSandbox(specs), infos: createRegistry(specs).infos }
  const balances = new Map<Address, bigint>()
  const store: Store = { balance: (a) => balances.get(a) ?? 0n, record: () => undefined }
  const run = createExecutor(programs.sandbox, programs.infos, store, { blockNumber: 1n, timestamp: 1n }, 'locks')
  const addr = (i: number) => `0x${w.toString(16).padStart(2, '0')}${i.toString(16).padStart(38, '0')}` as Address
  for (let i = 0; i < count; i++) {
    const sender = addr(2 * i)
    const to = addr(2 * i + 1)
    balances.set(sender, 1000n)
    const tx: ExecTx = {
      index: i,
      program: 'token',
      method: 'transfer',
      argsJson: JSON.stringify([to, '7']),
      sender,
      reads: [],
      writes: [sender, to],
    }
    const out = run(tx)
    if (out.status !== 'success') throw new Error(`transfer ${i} ${out.status}: ${out.error?.message}`)
    for (const [a, v] of out.balances) balances.set(a, v)
  }
}

serveWorker<CeilingTask, number>((task) => {
  const t = performance.now()
  if (task.kind === 'keccak') hashes(task.count, task.w)
  else if (task.kind === 'trie') trie(task.count, task.w)
  else transfers(task.count, task.w, task.specs)
  return performance.now() - t
})
