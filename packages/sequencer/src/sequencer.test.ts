import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  AlreadyKnownError,
  BaseError,
  hashHeader,
  InsufficientFundsError,
  InvalidTransactionEncodingError,
  levelDb,
  memoryDb,
  NonceTooLowError,
  ReplacementUnderpricedError,
  type TxEnvelope,
} from '@appchain/core'
import { eip1559 } from '@appchain/gas'
import { evmVm } from '@appchain/vm-evm'
import { afterAll, describe, expect, it } from 'vitest'
import { fundedGenesis, testAccounts, transfer } from '../test/accounts.js'
import { createTestChain } from '../test/testChain.js'
import { PreconfirmationBrokenError, TxExceedsBlockLimitError } from './errors.js'
import { executeBlockBuilder } from './openBlock.js'
import { type Preconfirmation, verifyPreconfirmation } from './preconfirmation.js'
import { priorityFee } from './priorityFee.js'
import { createSequencer, type SequencerConfig } from './sequencer.js'

const CHAIN_ID = 4242
const KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'
const accounts = testAccounts(8)
const vm = evmVm()
afterAll(() => vm.close())

async function setup(over: Partial<SequencerConfig> = {}, db = memoryDb()) {
  const gas = eip1559()
  const chain = await createTestChain({ db, vm, gas, genesis: fundedGenesis(accounts) })
  const sequencer = createSequencer({ vm, gas, chain, chainId: BigInt(CHAIN_ID), ...over })
  return { chain, sequencer, gas }
}

const until = async (cond: () => boolean, what: string) => {
  for (let i = 0; i < 1000; i++) {
    if (cond()) return
    await new Promise((r) => setTimeout(r, 10))
  }
  throw new Error(`timed out waiting for ${what}`)
}

describe('createSequencer', () => {
  it('submit returns typed errors in input order and admits the rest', async () => {
    const { sequencer } = await setup()
    const [a, b] = accounts
    const good = await transfer(a!, { nonce: 0, chainId: CHAIN_ID })
    const broke = await transfer(b!, { nonce: 0, chainId: CHAIN_ID, value: 10n ** 30n })
    const junk = new Uint8Array([0x02, 0xc0])
    const out = await sequencer.submit([junk, good, broke, good])
    expect(out[0]).toBeInstanceOf(BaseError)
    expect(out[0]).toBeInstanceOf(InvalidTransactionEncodingError)
    expect((out[1] as TxEnvelope).sender).toBe(a!.address.toLowerCase())
    expect(out[2]).toBeInstanceOf(InsufficientFundsError)
    expect(out[3]).toBeInstanceOf(AlreadyKnownError)
    expect(sequencer.mempool.count).toBe(1)
    expect(sequencer.mempool.pendingNonce(a!.address.toLowerCase() as `0x${string}`)).toBe(1n)
  })

  it('buildNow seals the pool in priority order through chain.seal, atomically with the state', async () => {
    const { sequencer, chain } = await setup({ ordering: priorityFee() })
    const [a, b, c] = accounts
    const raws = [
      await transfer(a!, { nonce: 0, chainId: CHAIN_ID, tip: 1_000_000_000n }),
      await transfer(a!, { nonce: 1, chainId: CHAIN_ID, tip: 5_000_000_000n }),
      await transfer(b!, { nonce: 0, chainId: CHAIN_ID, tip: 3_000_000_000n }),
      await transfer(c!, { nonce: 0, chainId: CHAIN_ID, tip: 2_000_000_000n }),
    ]
    const txs = (await sequencer.submit(raws)) as TxEnvelope[]
    const sealed = await sequencer.buildNow()
    expect(sealed).toBeDefined()
    const { block, execution } = sealed!
    expect(block.header.number).toBe(1n)
    expect(block.hash).toBe(hashHeader(block.header))
    expect(chain.head().hash).toBe(block.hash)
    // b (3 gwei) first, then c (2) beats a's head (1), then a's two in nonce order.
    expect(execution.included.map((t) => t.hash)).toEqual([txs[2]!.hash, txs[3]!.hash, txs[0]!.hash, txs[1]!.hash])
    expect(execution.receipts.every((r) => r.status === 'success')).toBe(true)
    expect(block.transactions).toEqual([raws[2], raws[3], raws[0], raws[1]])
    expect(execution.stateRoot).toBe(await chain.state().root())
    expect(sequencer.mempool.count).toBe(0)
    // The included transactions are now too low a nonce.
    const again = await sequencer.submit([
      await transfer(a!, { nonce: 1, chainId: CHAIN_ID, tip: 9_000_000_000n, maxFee: 20_000_000_000n }),
    ])
    expect(again[0]).toBeInstanceOf(NonceTooLowError)
    expect(await sequencer.buildNow()).toBeUndefined()
  })

  it('replacement needs the fee bump; the replacement is what gets mined', async () => {
    const { sequencer } = await setup()
    const a = accounts[0]!
    await sequencer.submit([
      await transfer(a, { nonce: 0, chainId: CHAIN_ID, tip: 1_000_000_000n, maxFee: 10_000_000_000n }),
    ])
    const [low] = await sequencer.submit([
      await transfer(a, { nonce: 0, chainId: CHAIN_ID, value: 2n, tip: 1_050_000_000n, maxFee: 10_500_000_000n }),
    ])
    expect(low).toBeInstanceOf(ReplacementUnderpricedError)
    const [ok] = await sequencer.submit([
      await transfer(a, { nonce: 0, chainId: CHAIN_ID, value: 3n, tip: 1_100_000_000n, maxFee: 11_000_000_000n }),
    ])
    const sealed = await sequencer.buildNow()
    expect(sealed!.execution.included.map((t) => t.hash)).toEqual([(ok as TxEnvelope).hash])
  })

  it('queues a nonce gap and includes it once the gap fills', async () => {
    const { sequencer } = await setup()
    const a = accounts[0]!
    await sequencer.submit([await transfer(a, { nonce: 1, chainId: CHAIN_ID })])
    expect(sequencer.mempool.queued()).toHaveLength(1)
    expect(await sequencer.buildNow()).toBeUndefined()
    await sequencer.submit([await transfer(a, { nonce: 0, chainId: CHAIN_ID })])
    const sealed = await sequencer.buildNow()
    expect(sealed!.execution.included.map((t) => t.nonce)).toEqual([0n, 1n])
  })

  it('respects max gas and max bytes per block; too-large transactions are refused up front', async () => {
    const { sequencer } = await setup({ maxBlockGas: 50_000n })
    const txs = await Promise.all(accounts.slice(0, 3).map((a) => transfer(a, { nonce: 0, chainId: CHAIN_ID })))
    await sequencer.submit(txs)
    expect((await sequencer.buildNow())!.execution.included).toHaveLength(2)
    expect((await sequencer.buildNow())!.execution.included).toHaveLength(1)
    const [big] = await sequencer.submit([await transfer(accounts[3]!, { nonce: 0, chainId: CHAIN_ID, gas: 60_000n })])
    expect(big).toBeInstanceOf(TxExceedsBlockLimitError)

    const bytes = await setup({ maxBlockBytes: 250 })
    await bytes.sequencer.submit(txs)
    // An EIP-1559 transfer is ~114 bytes: two fit in 250.
    expect((await bytes.sequencer.buildNow())!.execution.included).toHaveLength(2)
  })

  it('running: preconfirms each transaction at its index in the open block, and the sealed block keeps every promise', async () => {
    const { sequencer, chain } = await setup({ blockTimeMs: 100, preconf: { privateKey: KEY } })
    const preconfs: Preconfirmation[] = []
    const pending: string[] = []
    sequencer.onPreconfirmation((p) => preconfs.push(p))
    sequencer.onPendingTx((tx) => pending.push(tx.hash))
    sequencer.start()
    try {
      const submitted: TxEnvelope[] = []
      for (let round = 0; round < 3; round++) {
        const raws = await Promise.all(accounts.map((a) => transfer(a, { nonce: round, chainId: CHAIN_ID })))
        for (const r of await sequencer.submit(raws)) submitted.push(r as TxEnvelope)
        await until(() => preconfs.length === submitted.length, 'preconfirmations')
      }
      await until(() => chain.sealed.flatMap((s) => s.execution.included).length === submitted.length, 'all sealed')
    } finally {
      await sequencer.stop()
    }
    expect(pending).toHaveLength(accounts.length * 3)
    const where = new Map<string, { n: bigint; i: number }>()
    for (const s of chain.sealed)
      s.execution.receipts.forEach((r) =>
        where.set(r.transactionHash, { n: s.block.header.number, i: r.transactionIndex }),
      )
    for (const p of preconfs) {
      expect(where.get(p.txHash)).toEqual({ n: p.blockNumber, i: p.index })
      await verifyPreconfirmation(p, { chainId: BigInt(CHAIN_ID), sequencer: sequencer.address })
    }
    const numbers = chain.sealed.map((s) => s.block.header.number)
    expect(numbers).toEqual(numbers.map((_, i) => BigInt(i + 1)))
    for (let i = 1; i < chain.sealed.length; i++)
      expect(chain.sealed[i]!.block.header.parentHash).toBe(chain.sealed[i - 1]!.block.hash)
  })

  it('with a VM that offers openBlock, preconfirmations match the sealed positions too', async () => {
    const incremental = {
      ...vm,
      openBlock: (input: Parameters<NonNullable<typeof vm.openBlock>>[0]) => executeBlockBuilder(vm, input),
    }
    const { sequencer, chain } = await setup({
      vm: incremental as typeof vm,
      blockTimeMs: 50,
      preconf: { privateKey: KEY },
    })
    const preconfs: Preconfirmation[] = []
    sequencer.onPreconfirmation((p) => preconfs.push(p))
    sequencer.start()
    try {
      for (let round = 0; round < 2; round++) {
        await sequencer.submit(await Promise.all(accounts.map((a) => transfer(a, { nonce: round, chainId: CHAIN_ID }))))
        await until(() => preconfs.length === accounts.length * (round + 1), 'preconfirmations')
      }
    } finally {
      await sequencer.stop()
    }
    const where = new Map<string, string>()
    for (const s of chain.sealed)
      for (const r of s.execution.receipts)
        where.set(r.transactionHash, `${s.block.header.number}:${r.transactionIndex}`)
    expect(preconfs.map((p) => where.get(p.txHash))).toEqual(preconfs.map((p) => `${p.blockNumber}:${p.index}`))
  })

  it('without emptyBlocks it seals nothing while idle; with emptyBlocks it seals at every tick', async () => {
    const idle = await setup({ blockTimeMs: 20 })
    idle.sequencer.start()
    await new Promise((r) => setTimeout(r, 120))
    await idle.sequencer.stop()
    expect(idle.chain.sealed).toHaveLength(0)

    const busy = await setup({ blockTimeMs: 20, emptyBlocks: true })
    busy.sequencer.start()
    try {
      await until(() => busy.chain.sealed.length >= 3, 'three empty blocks')
    } finally {
      await busy.sequencer.stop()
    }
    expect(busy.chain.sealed.every((s) => s.execution.included.length === 0)).toBe(true)
  })

  it('deposits go first; a transaction after them is preconfirmed at the next index', async () => {
    const { sequencer, chain } = await setup({ blockTimeMs: 50, preconf: { privateKey: KEY } })
    const to = '0x00000000000000000000000000000000000000aa'
    chain.pushDeposit({
      sourceHash: `0x${'11'.repeat(32)}`,
      from: '0x00000000000000000000000000000000000000bb',
      to,
      mint: 5n,
      value: 5n,
      gasLimit: 100_000n,
      data: '0x',
      isCreation: false,
      l1BlockNumber: 1n,
    })
    const preconfs: Preconfirmation[] = []
    sequencer.onPreconfirmation((p) => preconfs.push(p))
    sequencer.start()
    try {
      await sequencer.submit([await transfer(accounts[0]!, { nonce: 0, chainId: CHAIN_ID })])
      await until(() => chain.sealed.length > 0, 'a block')
    } finally {
      await sequencer.stop()
    }
    const first = chain.sealed[0]!
    expect(first.block.deposits).toHaveLength(1)
    expect((await chain.state().getAccount(to))?.balance).toBe(5n)
    const txBlock = chain.sealed.find((s) => s.execution.included.some((t) => t.hash === preconfs[0]?.txHash))!
    expect(preconfs[0]!.blockNumber).toBe(txBlock.block.header.number)
    expect(preconfs[0]!.index).toBe(txBlock.block.deposits.length)
  })

  it('stop() seals the open block that holds preconfirmed transactions', async () => {
    const { sequencer, chain } = await setup({ blockTimeMs: 60_000, preconf: { privateKey: KEY } })
    const preconfs: Preconfirmation[] = []
    sequencer.onPreconfirmation((p) => preconfs.push(p))
    sequencer.start()
    await sequencer.submit([await transfer(accounts[0]!, { nonce: 0, chainId: CHAIN_ID })])
    await until(() => preconfs.length === 1, 'the preconfirmation')
    expect(sequencer.mempool.inBlock()).toHaveLength(1)
    expect(sequencer.mempool.has(preconfs[0]!.txHash)).toBe(true)
    await sequencer.stop()
    expect(chain.sealed).toHaveLength(1)
    expect(chain.sealed[0]!.execution.included[0]!.hash).toBe(preconfs[0]!.txHash)
  })

  it('on levelDb: the chain reopens at the sealed head and the sequencer continues on it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'seq-'))
    try {
      const db = await levelDb({ path: dir })
      const { sequencer, chain } = await setup({}, db)
      await sequencer.submit([await transfer(accounts[0]!, { nonce: 0, chainId: CHAIN_ID })])
      const first = await sequencer.buildNow()
      await db.close()

      const db2 = await levelDb({ path: dir })
      const gas = eip1559()
      const chain2 = await createTestChain({ db: db2, vm, gas, genesis: {}, reopen: true })
      expect(chain2.head().hash).toBe(first!.block.hash)
      expect(chain.head().hash).toBe(first!.block.hash)
      const seq2 = createSequencer({ vm, gas, chain: chain2, chainId: BigInt(CHAIN_ID) })
      const [low] = await seq2.submit([await transfer(accounts[0]!, { nonce: 0, chainId: CHAIN_ID })])
      expect(low).toBeInstanceOf(NonceTooLowError)
      await seq2.submit([await transfer(accounts[0]!, { nonce: 1, chainId: CHAIN_ID })])
      const second = await seq2.buildNow()
      expect(second!.block.header.number).toBe(2n)
      expect(second!.block.header.parentHash).toBe(first!.block.hash)
      await db2.close()
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('reports a VM that breaks a preconfirmation at sealing (PreconfirmationBrokenError to the logger)', async () => {
    // A deliberately broken VM: its final execution of the block leaves out the last placed transaction.
    let sealing = false
    const broken = {
      ...vm,
      // Seal through executeBlock: the EVM's incremental openBlock would bypass the breakage.
      openBlock: undefined,
      executeBlock: (input: Parameters<typeof vm.executeBlock>[0]) =>
        vm.executeBlock(sealing ? { ...input, txs: input.txs.slice(0, -1) } : input),
    } as unknown as typeof vm
    const errors: unknown[] = []
    const gas = eip1559()
    const chain = await createTestChain({ db: memoryDb(), vm, gas, genesis: fundedGenesis(accounts) })
    const sequencer = createSequencer({
      vm: broken,
      gas,
      chain,
      chainId: BigInt(CHAIN_ID),
      blockTimeMs: 60_000,
      preconf: { privateKey: KEY },
      logger: { error: (o) => errors.push((o as { err: unknown }).err) },
    })
    const preconfs: Preconfirmation[] = []
    sequencer.onPreconfirmation((p) => preconfs.push(p))
    sequencer.start()
    await sequencer.submit(
      await Promise.all(accounts.slice(0, 2).map((a) => transfer(a, { nonce: 0, chainId: CHAIN_ID }))),
    )
    await until(() => preconfs.length === 2, 'two preconfirmations')
    sealing = true
    await sequencer.stop()
    expect(chain.sealed[0]!.execution.included).toHaveLength(1)
    expect(errors.some((e) => e instanceof PreconfirmationBrokenError)).toBe(true)
  })

  it('guards its arguments', async () => {
    const { chain, gas } = await setup()
    expect(() => createSequencer({ vm, gas, chain, chainId: 0n })).toThrow(TypeError)
    expect(() => createSequencer({ vm, gas, chain, chainId: 1n, blockTimeMs: 0 })).toThrow(RangeError)
    const s = createSequencer({ vm, gas, chain, chainId: 1n })
    await expect(s.submit('0x' as never)).rejects.toThrow(TypeError)
  })

  it('opens the next block on a sealed block still being written, and writes blocks in order', async () => {
    const { chain, sequencer } = await setup({ blockTimeMs: 20, preconf: { privateKey: KEY } })
    // The first write waits for the test; later ones take 20 ms. The next blocks build on the tip meanwhile.
    const seal = chain.seal.bind(chain)
    let release!: () => void
    const gate = new Promise<void>((r) => {
      release = r
    })
    const writes: bigint[] = []
    let writing = 0
    chain.seal = async (s) => {
      writing++
      await (writes.length === 0 && writing === 1 ? gate : new Promise((r) => setTimeout(r, 20)))
      writes.push(s.block.header.number)
      await seal(s)
      writing--
    }
    const preconfs: Preconfirmation[] = []
    sequencer.onPreconfirmation((p) => preconfs.push(p))
    // A deposit stays listed by the chain until its block is written: it must still go in only once.
    chain.pushDeposit({
      sourceHash: `0x${'22'.repeat(32)}`,
      from: '0x00000000000000000000000000000000000000bb',
      to: '0x00000000000000000000000000000000000000aa',
      mint: 5n,
      value: 5n,
      gasLimit: 100_000n,
      data: '0x',
      isCreation: false,
      l1BlockNumber: 1n,
    })
    const [a, b] = accounts
    sequencer.start()
    try {
      const [first] = await sequencer.submit([await transfer(a!, { nonce: 0, chainId: CHAIN_ID })])
      const firstHash = (first as TxEnvelope).hash
      await until(() => writing > 0 && preconfs.length === 1 && sequencer.mempool.inBlock().length === 0, 'a write')
      // Sealed, not yet written: still known (and counted in the pending nonce) to readers of the pool.
      expect(chain.sealed).toHaveLength(0)
      expect(sequencer.mempool.has(firstHash)).toBe(true)
      expect(sequencer.mempool.pendingNonce(a!.address.toLowerCase() as TxEnvelope['sender'])).toBe(1n)
      const again = await sequencer.submit([await transfer(a!, { nonce: 0, chainId: CHAIN_ID })])
      expect(again[0]).toBeInstanceOf(AlreadyKnownError)
      // Admission and preconfirmation go on while the write hangs.
      await sequencer.submit([await transfer(b!, { nonce: 0, chainId: CHAIN_ID })])
      await sequencer.submit([await transfer(a!, { nonce: 1, chainId: CHAIN_ID })])
      await until(() => preconfs.length === 3, 'three preconfirmations')
      expect(chain.sealed).toHaveLength(0)
      expect(preconfs[1]!.blockNumber).toBe(preconfs[0]!.blockNumber + 1n)
    } finally {
      release()
      await sequencer.stop()
    }
    expect(writes).toEqual(chain.sealed.map((s) => s.block.header.number))
    expect(writes).toEqual([...writes].sort((x, y) => (x < y ? -1 : 1)))
    for (let i = 1; i < chain.sealed.length; i++)
      expect(chain.sealed[i]!.block.header.parentHash).toBe(chain.sealed[i - 1]!.block.hash)
    // Deposits go first in a block's included list; the rest are the preconfirmed transactions, in order.
    const sealedTxs = chain.sealed.flatMap((s) =>
      s.execution.included.slice(s.block.deposits.length).map((t) => t.hash),
    )
    expect(sealedTxs).toEqual(preconfs.map((p) => p.txHash))
    expect(chain.head().hash).toBe(chain.sealed.at(-1)!.block.hash)
    expect(chain.sealed.flatMap((x) => x.block.deposits.map((d) => d.sourceHash))).toEqual([`0x${'22'.repeat(32)}`])
  })
})
