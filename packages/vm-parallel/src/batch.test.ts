import type { Address } from '@appchain/core'
import { describe, expect, it } from 'vitest'
import { batchResults, batchWrites, encodeBatch, runBatch } from './batch.js'
import type { ExecTx } from './executor.js'
import { programSpec } from './program.js'
import { nativeToken } from './programs/nativeToken.js'
import { createRegistry } from './registry.js'
import { createSandbox } from './sandbox.js'

const addr = (i: number) => `0x${i.toString(16).padStart(40, '0')}` as Address
const token = nativeToken({ authority: addr(1) })
const specs = [programSpec(token)]
const registry = createRegistry(specs)
const sandbox = createSandbox(specs)
const env = { blockNumber: 1n, timestamp: 1n }
const transfer = (index: number, from: Address, to: Address, amount: bigint): ExecTx => ({
  index,
  program: 'token',
  method: 'transfer',
  argsJson: JSON.stringify([to, amount.toString()]),
  sender: from,
  reads: [],
  writes: from === to ? [from] : [from, to],
})
// A chain through account 3 (written twice), an account read and written by several, a failing transfer.
const txs = [
  transfer(0, addr(2), addr(3), 5n),
  transfer(1, addr(3), addr(4), 7n),
  transfer(2, addr(5), addr(5), 1n),
  transfer(3, addr(6), addr(3), 1000n),
]
const start = new Map<Address, bigint>([
  [addr(2), 10n],
  [addr(3), 3n],
  [addr(4), 0n],
  [addr(5), 1n],
  [addr(6), 1n],
])

describe('encodeBatch / runBatch', () => {
  it('a caller-gathered slice packs the same task as encodeBatch gathering it', () => {
    const opts = { mode: 'locks' as const, env, balance: (a: Address) => start.get(a)!, record: () => undefined }
    const own = encodeBatch(txs, opts)
    const accounts = [addr(2), addr(3), addr(4), addr(5), addr(6)]
    const given = encodeBatch(txs, { ...opts, slice: { accounts, values: accounts.map((a) => start.get(a)!) } })
    expect(given).toEqual(own)
  })

  it('locking mode names written balances by their slice position; batchWrites resolves them through the task', () => {
    const task = encodeBatch(txs, { mode: 'locks', env, balance: (a) => start.get(a)!, record: () => undefined })
    const out = runBatch(sandbox, registry.infos, structuredClone(task))
    expect(out.balanceAccounts).toEqual([])
    // First-write order: 2 and 3 (tx 0), then 4 (tx 1), then 5 (tx 2); tx 3 reverts (insufficient balance).
    expect([...out.writtenAt!]).toEqual([0, 1, 2, 3])
    expect([...batchWrites(out, task).balances]).toEqual([
      [addr(2), 5n],
      [addr(3), 1n],
      [addr(4), 7n],
      [addr(5), 1n],
    ])
    expect(batchResults(task, out).map((r) => r.status)).toEqual(['success', 'success', 'success', 'reverted'])
    expect(() => batchWrites(out)).toThrow(TypeError)
  })
})
