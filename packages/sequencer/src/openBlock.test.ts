import { BaseError, memoryDb, type TxEnvelope, type Vm } from '@appchain/core'
import { runVmConformance } from '@appchain/core/testing'
import { eip1559 } from '@appchain/gas'
import { createStateDb } from '@appchain/state'
import { evmVm } from '@appchain/vm-evm'
import { afterAll, describe, expect, it } from 'vitest'
import { fundedGenesis, testAccounts, transfer } from '../test/accounts.js'
import { createTestChain } from '../test/testChain.js'
import { nextBlockContext } from './blockContext.js'
import { executeBlockBuilder, openBlock } from './openBlock.js'

const CHAIN_ID = 4242
const accounts = testAccounts(4)
const gas = eip1559()

/** The EVM offering `executeBlockBuilder` as its `openBlock`: the sequencer's incremental path on a real VM. */
function withOpenBlock(vm: Vm): Vm {
  return { ...vm, openBlock: (input) => executeBlockBuilder(vm, input) }
}

// Core's VM conformance, including its openBlock case, on the EVM with the generic builder.
runVmConformance({
  name: 'evmVm + executeBlockBuilder',
  create: () => withOpenBlock(evmVm({ recovery: { workers: 0 } })),
  createState: () => createStateDb({ db: memoryDb() }),
  gas,
  chainId: BigInt(CHAIN_ID),
  genesis: fundedGenesis(accounts),
  makeTxs: async () => [
    await transfer(accounts[0]!, { nonce: 0, chainId: CHAIN_ID }),
    await transfer(accounts[1]!, { nonce: 0, chainId: CHAIN_ID }),
    await transfer(accounts[0]!, { nonce: 1, chainId: CHAIN_ID }),
  ],
})

describe('openBlock', () => {
  const vm = evmVm({ recovery: { workers: 0 } })
  afterAll(() => vm.close())

  async function fresh() {
    const chain = await createTestChain({ db: memoryDb(), vm, gas, genesis: fundedGenesis(accounts) })
    const head = chain.head()
    const ctx = nextBlockContext({
      parent: head.header,
      parentHash: head.hash,
      chainId: BigInt(CHAIN_ID),
      gas,
      gasLimit: 30_000_000n,
      coinbase: '0x0000000000000000000000000000000000000000',
      nowMs: 1_700_000_000_000,
    })
    return { chain, ctx, state: chain.state() }
  }

  for (const mode of ['fallback', 'vm.openBlock'] as const) {
    it(`${mode}: places in batches with running indexes, refuses without a trace, and finishes like executeBlock`, async () => {
      const { ctx, state } = await fresh()
      const raws = [
        await transfer(accounts[0]!, { nonce: 0, chainId: CHAIN_ID }),
        await transfer(accounts[1]!, { nonce: 0, chainId: CHAIN_ID }),
        await transfer(accounts[0]!, { nonce: 5, chainId: CHAIN_ID }), // nonce gap: refused at execution
        await transfer(accounts[2]!, { nonce: 0, chainId: CHAIN_ID }),
      ]
      const txs = (await vm.decodeTxs(raws, { chainId: BigInt(CHAIN_ID) })) as TxEnvelope[]
      const source = mode === 'fallback' ? vm : withOpenBlock(vm)
      const open = await openBlock({
        vm: source,
        gas,
        state,
        ctx,
        maxBlockBytes: 1 << 20,
        fallback: mode === 'fallback',
      })
      const first = await open.add(txs.slice(0, 2))
      const second = await open.add(txs.slice(2))
      expect(first.map((p) => ('receipt' in p ? p.receipt.transactionIndex : -1))).toEqual([0, 1])
      expect('error' in second[0]! && second[0].error).toBeInstanceOf(BaseError)
      expect('receipt' in second[1]! && second[1].receipt.transactionIndex).toBe(2)
      expect(open.txs.map((t) => t.hash)).toEqual([txs[0]!.hash, txs[1]!.hash, txs[3]!.hash])
      expect(open.gasUsed).toBe(63_000n)
      const done = await open.finish()
      expect(done.included.map((t) => t.hash)).toEqual(open.txs.map((t) => t.hash))

      // The same block in one executeBlock on a fresh chain: identical roots.
      const again = await fresh()
      const whole = await (vm as Vm).executeBlock({
        ctx,
        deposits: [],
        txs: [txs[0]!, txs[1]!, txs[3]!],
        state: again.state,
        gas,
      })
      expect(done.stateRoot).toBe(whole.stateRoot)
      expect(done.receiptsRoot).toBe(whole.receiptsRoot)
      expect(done.transactionsRoot).toBe(whole.transactionsRoot)
    })
  }

  it('discard leaves the state as it was, checkpoints closed (flush works)', async () => {
    const { ctx, state } = await fresh()
    const before = await state.root()
    const open = await openBlock({ vm, gas, state, ctx, maxBlockBytes: 1 << 20 })
    const [tx] = (await vm.decodeTxs([await transfer(accounts[0]!, { nonce: 0, chainId: CHAIN_ID })], {
      chainId: BigInt(CHAIN_ID),
    })) as TxEnvelope[]
    await open.add([tx!])
    open.discard()
    expect(await state.root()).toBe(before)
    expect((await state.flush()).root).toBe(before)
    expect(() => open.discard()).toThrow()
  })

  it('fits() counts the gas limit and bytes of what is placed and reserved', async () => {
    const { ctx, state } = await fresh()
    const open = await openBlock({ vm, gas, state, ctx: { ...ctx, gasLimit: 50_000n }, maxBlockBytes: 300 })
    expect(open.fits({ gasLimit: 21_000n, size: 100 })).toBe(true)
    expect(open.fits({ gasLimit: 21_000n, size: 100 }, 21_000n, 100)).toBe(true)
    expect(open.fits({ gasLimit: 21_000n, size: 100 }, 30_000n)).toBe(false)
    expect(open.fits({ gasLimit: 21_000n, size: 100 }, 0n, 250)).toBe(false)
    open.discard()
  })
})
