import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BlockContext, Db, Deposit, GenesisAlloc, StateDb } from '@appchain/core'
import { BaseError, KECCAK_EMPTY, levelDb, memoryDb, ZERO_HASH } from '@appchain/core'
import { eip1559 } from '@appchain/gas'
import { createStateDb } from '@appchain/state'
import { afterAll, describe, expect, it } from 'vitest'
import { CHAIN_ID, call, keys } from '../test/helpers.js'
import type { ParallelTx } from './parallelTx.js'
import { type ParallelVm, parallelVm } from './parallelVm.js'
import { cellAddress, game, leaderboardAddress } from './programs/game.js'
import { nativeToken } from './programs/nativeToken.js'
import { readRecord } from './rpc.js'

const people = keys(6, 'sharded')
const token = nativeToken({ authority: people[0]!.address })
const g = game({ gridSize: 4n })
const programs = [token, g]
const gas = eip1559({ initialBaseFee: 5n })
// people[4] has code: its code hash must survive the round trips through the workers (it sends and receives).
const genesis: GenesisAlloc = Object.fromEntries(
  people.map((p, i) => [p.address, i === 4 ? { balance: 10n ** 20n, code: '0x6001600101' } : { balance: 10n ** 20n }]),
)
const ctx = (number: bigint): BlockContext => ({
  chainId: CHAIN_ID,
  number,
  timestamp: 1_700_000_000n + number,
  coinbase: people[5]!.address,
  gasLimit: 30_000_000n,
  fees: gas.genesisFees(),
  prevRandao: ZERO_HASH,
  parentHash: ZERO_HASH,
})

/** Block b: every person joins or moves on the grid, gathers, and sends tokens round the table. */
function block(b: number, nonces: bigint[]): Uint8Array[] {
  const out: Uint8Array[] = []
  for (let i = 0; i < 5; i++) {
    const key = people[i]!
    if (b === 0) out.push(call(g, 'join', { x: BigInt(i % 4), y: BigInt((i + 1) % 4) }, key, nonces[i]!++))
    else out.push(call(g, 'gather', {}, key, nonces[i]!++))
    out.push(
      call(token, 'transfer', { to: people[(i + b + 1) % 6]!.address, amount: BigInt(1000 + b) }, key, nonces[i]!++),
    )
  }
  return out
}

/** Block 3's deposits: one minting and moving value to a player, one whose value exceeds its depositor's funds. */
const deposits = (n: number): Deposit[] =>
  n !== 3
    ? []
    : [
        { to: people[2]!.address, mint: 5n * 10n ** 18n, value: 10n ** 18n },
        { to: people[0]!.address, mint: 1n, value: 2n },
      ].map((d, i) => ({
        sourceHash: `0x${(i + 1).toString(16).padStart(64, '0')}`,
        from: `0x${'de'.repeat(19)}0${i}`,
        gasLimit: 100_000n,
        data: '0x',
        isCreation: false,
        l1BlockNumber: 1n,
        ...d,
      }))

async function execute(vm: ParallelVm, state: StateDb, raws: Uint8Array[], n: number) {
  const txs = (await vm.decodeTxs(raws, { chainId: CHAIN_ID })).map((t) => {
    if (t instanceof BaseError) throw t
    return t
  }) as ParallelTx[]
  return vm.executeBlock({ ctx: ctx(BigInt(n)), deposits: deposits(n), txs, state, gas })
}

async function flushTo(db: Db, state: StateDb): Promise<string> {
  const { root, ops } = await state.flush()
  await db.batch(ops)
  return root
}

describe('parallelVm({ shardedState: true }): openState on LevelDB', () => {
  const vm = parallelVm({ programs, workers: 2, minParallel: 4, shardedState: true })
  const dirs: string[] = []
  afterAll(async () => {
    await vm.close()
    for (const d of dirs) await rm(d, { recursive: true, force: true })
  })

  it('seals blocks with the reference roots (a block reverted in a checkpoint and run again), flushes, reopens at the head and continues', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vm-sharded-'))
    dirs.push(dir)
    const db = await levelDb({ path: join(dir, 'chain') })
    const refDb = memoryDb()
    const reference = parallelVm({ programs, workers: 0 })
    const ref = createStateDb({ db: refDb })
    await reference.genesis(genesis, ref)
    await flushTo(refDb, ref)
    let state = await vm.openState!(db, {})
    try {
      await vm.genesis(genesis, state)
      expect(await flushTo(db, state)).toBe(await ref.root())
      const refNonces = people.map(() => 0n)
      const nonces = people.map(() => 0n)
      for (let b = 0; b < 3; b++) {
        const raws = block(b, nonces)
        block(b, refNonces)
        const expected = await execute(reference, ref, raws, b + 1)
        if (b === 1) {
          // The sequencer's way: a block inside a checkpoint, thrown away, then sealed.
          state.checkpoint()
          const dropped = await execute(vm, state, raws, b + 1)
          expect(dropped.stateRoot).toBe(expected.stateRoot)
          state.revert()
        }
        const got = await execute(vm, state, raws, b + 1)
        expect(vm.lastStats()?.timings.shardRoot).toBeDefined()
        expect(got.stateRoot).toBe(expected.stateRoot)
        expect(got.receiptsRoot).toBe(expected.receiptsRoot)
        expect(got.receipts).toEqual(expected.receipts)
        if (b === 2)
          expect(got.receipts.slice(0, 2).map((r) => [r.type, r.status])).toEqual([
            [0x7e, 'success'],
            [0x7e, 'reverted'],
          ])
        expect(await flushTo(db, state)).toBe(await flushTo(refDb, ref))
      }
      const head = await state.root()
      await state.close()
      // Reopened at the head: the same accounts and records, and the next block seals the same root.
      state = await vm.openState!(db, { root: head })
      expect(await state.root()).toBe(head)
      for (const p of people) expect(await state.getAccount(p.address)).toEqual(await ref.getAccount(p.address))
      expect((await state.getAccount(people[4]!.address))!.codeHash).not.toBe(KECCAK_EMPTY)
      for (const a of [leaderboardAddress(), cellAddress(1n, 2n), people[1]!.address])
        expect(await readRecord(state, 'game', a)).toEqual(await readRecord(ref, 'game', a))
      const raws = block(3, nonces)
      block(3, refNonces)
      const expected = await execute(reference, ref, raws, 4)
      const got = await execute(vm, state, raws, 4)
      expect(got.stateRoot).toBe(expected.stateRoot)
      expect(await flushTo(db, state)).toBe(await flushTo(refDb, ref))
    } finally {
      await state.close()
      await db.close()
    }
  }, 60_000)

  it('openState is only offered with shardedState, which needs 1..16 workers', () => {
    expect(parallelVm({ programs, workers: 1 }).openState).toBeUndefined()
    expect(() => parallelVm({ programs, workers: 0, shardedState: true })).toThrow(RangeError)
    expect(() => parallelVm({ programs, workers: 17, shardedState: true })).toThrow(RangeError)
    expect(() => parallelVm({ programs, workers: 2, shardedState: 'yes' as never })).toThrow(TypeError)
  })
})
