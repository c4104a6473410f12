import { BaseError, type GasModel, gasStoreSlot, InsufficientFundsError, memoryDb, PREDEPLOYS } from '@appchain/core'
import { eip1559, rateLimited, sponsored } from '@appchain/gas'
import { createStateDb } from '@appchain/state'
import { parseEther } from 'viem'
import { afterAll, describe, expect, it } from 'vitest'
import type { EvmTx } from './evmTx.js'
import { evmVm } from './evmVm.js'
import { blockCtx, CHAIN_ID, lower, sign, testAccounts } from './testHelpers.js'

const [alice, bob, broke, paymaster] = testAccounts(4) as [
  ReturnType<typeof testAccounts>[0],
  ReturnType<typeof testAccounts>[0],
  ReturnType<typeof testAccounts>[0],
  ReturnType<typeof testAccounts>[0],
]
const fee = { maxFeePerGas: 2_000_000_000n, maxPriorityFeePerGas: 1_000_000n }

/** eip1559, plus a counter in the store that `upfront` and `charge` bump (as a quota model would). */
function countingModel(): GasModel {
  const base = eip1559({ initialBaseFee: 1_000_000_000n })
  return {
    ...base,
    async upfront(tx, ctx) {
      await ctx.store.set('t:upfront', (await ctx.store.get('t:upfront')) + 1n)
      return base.upfront(tx, ctx)
    },
    async charge(tx, gasUsed, ctx) {
      await ctx.store.set('t:charged', (await ctx.store.get('t:charged')) + 1n)
      return base.charge(tx, gasUsed, ctx)
    },
  }
}

describe('evmVm gas store per block', () => {
  const vm = evmVm({ recovery: { workers: 0 } })
  afterAll(() => vm.close())

  it('drops the gas-store writes of a transaction excluded after upfront, and flushes the rest before the root', async () => {
    const state = createStateDb({ db: memoryDb() })
    await vm.genesis(
      { [lower(alice.address)]: { balance: parseEther('1') }, [lower(bob.address)]: { balance: 0n } },
      state,
    )
    const txs = (
      await vm.decodeTxs(
        [
          await sign(alice, { type: 'eip1559', to: bob.address, value: 1n, nonce: 0, gas: 21_000n, ...fee }),
          // No funds: upfront runs, then the balance check excludes it.
          await sign(broke, { type: 'eip1559', to: bob.address, value: 1n, nonce: 0, gas: 21_000n, ...fee }),
          await sign(alice, { type: 'eip1559', to: bob.address, value: 1n, nonce: 1, gas: 21_000n, ...fee }),
        ],
        { chainId: CHAIN_ID },
      )
    ).map((t) => {
      if (t instanceof BaseError) throw t
      return t as EvmTx
    })
    const gas = countingModel()
    const builder = await vm.openBlock!({ ctx: blockCtx(), deposits: [], state, gas })
    const out = await builder.add(txs)
    expect(out[1]).toBeInstanceOf(InsufficientFundsError)
    // Write-back: nothing in the state until the block finishes.
    expect(BigInt(await state.getStorage(PREDEPLOYS.gasStore, gasStoreSlot('t:upfront')))).toBe(0n)
    const r = await builder.finish()
    expect(r.included).toHaveLength(2)
    expect(r.excluded.map((e) => e.hash)).toEqual([txs[1]!.hash])
    expect(BigInt(await state.getStorage(PREDEPLOYS.gasStore, gasStoreSlot('t:upfront')))).toBe(2n)
    expect(BigInt(await state.getStorage(PREDEPLOYS.gasStore, gasStoreSlot('t:charged')))).toBe(2n)
    expect((await state.getAccount(PREDEPLOYS.gasStore))?.nonce).toBe(1n)
    // The flushed writes are in the state root the block reports.
    expect(r.stateRoot).toBe(await state.root())
  })

  it('leaves no gas-store write behind when the block is aborted', async () => {
    const state = createStateDb({ db: memoryDb() })
    await vm.genesis({ [lower(alice.address)]: { balance: parseEther('1') } }, state)
    const [tx] = await vm.decodeTxs(
      [await sign(alice, { type: 'eip1559', to: bob.address, value: 1n, nonce: 0, gas: 21_000n, ...fee })],
      { chainId: CHAIN_ID },
    )
    state.checkpoint()
    const builder = await vm.openBlock!({ ctx: blockCtx(), deposits: [], state, gas: countingModel() })
    await builder.add([tx as EvmTx])
    builder.abort?.()
    state.revert()
    expect(await state.getAccount(PREDEPLOYS.gasStore)).toBeUndefined()
  })

  it('runs a free-tier transaction from a zero-balance sender, and gives back the slot of one excluded after upfront', async () => {
    const state = createStateDb({ db: memoryDb() })
    await vm.genesis({ [lower(alice.address)]: { balance: parseEther('1') } }, state)
    const decode = async (raws: Uint8Array[]) =>
      (await vm.decodeTxs(raws, { chainId: CHAIN_ID })).map((t) => {
        if (t instanceof BaseError) throw t
        return t as EvmTx
      })
    const gas = rateLimited({
      freeTxPerWindow: 1n,
      windowBlocks: 100n,
      // biome-ignore lint/suspicious/noThenProperty: issue 5 names the field `then`; a GasModel is not callable
      then: eip1559({ initialBaseFee: 1_000_000_000n }),
    })
    const [unaffordable, free] = await decode([
      // Free tier, but the sender cannot pay the value: excluded after upfront held its free slot.
      await sign(broke, { type: 'eip1559', to: bob.address, value: 1n, nonce: 0, gas: 21_000n, ...fee }),
      // Same nonce, no value: the released slot makes it free, so a zero balance is enough.
      await sign(broke, { type: 'eip1559', to: bob.address, value: 0n, nonce: 0, gas: 21_000n, ...fee }),
    ])
    // Admission agrees: the funds rule does not ask a free transaction for gasLimit × maxFeePerGas.
    await vm.validateTx(free!, state, blockCtx(), gas)
    const builder = await vm.openBlock!({ ctx: blockCtx(), deposits: [], state, gas })
    const out = await builder.add([unaffordable!, free!])
    expect(out[0]).toBeInstanceOf(InsufficientFundsError)
    expect((out[0] as InsufficientFundsError).data).toMatchObject({ balance: 0n, cost: 1n })
    expect(out[1]).not.toBeInstanceOf(BaseError)
    const r = await builder.finish()
    expect(r.receipts.map((x) => [x.transactionHash, x.status, x.effectiveGasPrice])).toEqual([
      [free!.hash, 'success', 0n],
    ])
    expect((await state.getAccount(lower(broke.address)))?.nonce).toBe(1n)
    expect((await state.getAccount(lower(broke.address)))?.balance).toBe(0n)
  })

  it("keeps the gas model's cached balances current: a paymaster topped up by a contract call can pay again", async () => {
    const state = createStateDb({ db: memoryDb() })
    const gwei = 1_000_000_000n
    const pm = lower(paymaster.address)
    // CALL(gas, paymaster, callvalue, 0, 0, 0, 0); STOP: forwards what it receives to the paymaster.
    const forwarder = '0x00000000000000000000000000000000000f0a4d'
    const code = `0x60006000600060003473${pm.slice(2)}5af100` as const
    await vm.genesis(
      {
        [lower(alice.address)]: { balance: parseEther('1') },
        [lower(bob.address)]: { balance: parseEther('1') },
        [pm]: { balance: 81_000n * gwei },
        [forwarder]: { code },
      },
      state,
    )
    const gas = sponsored({ paymaster: pm, quota: { windowBlocks: 100n }, gasPrice: gwei })
    const free = { maxFeePerGas: 0n, maxPriorityFeePerGas: 0n }
    const txs = (
      await vm.decodeTxs(
        [
          // 21,000 gwei from the paymaster, which is then left with 60,000 gwei.
          await sign(alice, { type: 'eip1559', to: bob.address, value: 1n, nonce: 0, gas: 21_000n, ...free }),
          // Through the interpreter: the contract sends 100,000 gwei on to the paymaster.
          await sign(bob, { type: 'eip1559', to: forwarder, value: 100_000n * gwei, nonce: 0, gas: 60_000n, ...free }),
          // Holds 100,000 gwei: payable only with the top-up (a balance cached before the call would refuse it).
          await sign(alice, { type: 'eip1559', to: bob.address, value: 1n, nonce: 1, gas: 100_000n, ...free }),
        ],
        { chainId: CHAIN_ID },
      )
    ).map((t) => {
      if (t instanceof BaseError) throw t
      return t as EvmTx
    })
    const r = await vm.executeBlock({
      ctx: blockCtx({ fees: { baseFeePerGas: 0n } }),
      deposits: [],
      txs,
      state,
      gas,
    })
    expect(r.excluded).toEqual([])
    expect(r.receipts.map((x) => x.feePayer)).toEqual([pm, pm, pm])
    const paid = r.receipts.reduce((sum, x) => sum + x.gasUsed * gwei, 0n)
    expect((await state.getAccount(pm))?.balance).toBe(81_000n * gwei + 100_000n * gwei - paid)
  })

  it('still asks a paying sender for gasLimit × maxFeePerGas once the free tier is used', async () => {
    const state = createStateDb({ db: memoryDb() })
    await vm.genesis({}, state)
    const gas = rateLimited({
      freeTxPerWindow: 0n,
      windowBlocks: 100n,
      // biome-ignore lint/suspicious/noThenProperty: issue 5 names the field `then`; a GasModel is not callable
      then: eip1559({ initialBaseFee: 1_000_000_000n }),
    })
    const [tx] = await vm.decodeTxs(
      [await sign(broke, { type: 'eip1559', to: bob.address, value: 0n, nonce: 0, gas: 21_000n, ...fee })],
      { chainId: CHAIN_ID },
    )
    const e = await vm.validateTx(tx as EvmTx, state, blockCtx(), gas).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(InsufficientFundsError)
    expect((e as InsufficientFundsError).data).toMatchObject({ balance: 0n, cost: 21_000n * fee.maxFeePerGas })
  })

  it("calls the gas model's prefetch once per batch, before any upfront, with the block's store", async () => {
    const state = createStateDb({ db: memoryDb() })
    await vm.genesis({ [lower(alice.address)]: { balance: parseEther('1') } }, state)
    const txs = (
      await vm.decodeTxs(
        await Promise.all(
          [0, 1, 2].map((nonce) =>
            sign(alice, { type: 'eip1559', to: bob.address, value: 1n, nonce, gas: 21_000n, ...fee }),
          ),
        ),
        { chainId: CHAIN_ID },
      )
    ).map((t) => t as EvmTx)
    const calls: string[] = []
    const base = countingModel()
    const gas: GasModel = {
      ...base,
      async prefetch(batch, ctx) {
        // The block's store, with the writes of the batches before.
        const [up, charged] = await ctx.store.getMany!(['t:upfront', 't:charged'])
        calls.push(`prefetch ${batch.length} @${ctx.blockNumber}: ${up}/${charged}`)
      },
      upfront(tx, ctx) {
        calls.push('upfront')
        return base.upfront(tx, ctx)
      },
    }
    const builder = await vm.openBlock!({ ctx: blockCtx(), deposits: [], state, gas })
    await builder.add(txs.slice(0, 2))
    await builder.add(txs.slice(2))
    const r = await builder.finish()
    expect(calls).toEqual(['prefetch 2 @1: 0/0', 'upfront', 'upfront', 'prefetch 1 @1: 2/2', 'upfront'])
    expect(r.included).toHaveLength(3)
    expect(BigInt(await state.getStorage(PREDEPLOYS.gasStore, gasStoreSlot('t:charged')))).toBe(3n)
  })
})
