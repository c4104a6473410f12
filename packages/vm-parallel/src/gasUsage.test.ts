import type { GasModel, GasStore, GenesisAlloc, StateDb } from '@appchain/core'
import { BaseError, QuotaExceededError } from '@appchain/core'
import { eip1559, rateLimited, sponsored } from '@appchain/gas'
import { afterAll, describe, expect, it } from 'vitest'
import { blockContext, CHAIN_ID, call, keys, memoryState } from '../test/helpers.js'
import type { ParallelTx } from './parallelTx.js'
import { parallelVm } from './parallelVm.js'
import { nativeToken } from './programs/nativeToken.js'

// Stateful gas models keep a block's usage in memory and write it in `observeBlock`, through the store their
// charges used: the VM must hand `observeBlock` that same store, and the usage must reach the next block.
const [paymaster, alice, bob] = keys(3)
const token = nativeToken({ authority: paymaster!.address })
const genesis: GenesisAlloc = {
  [paymaster!.address]: { balance: 10n ** 24n },
  [alice!.address]: { balance: 10n ** 24n },
}

/** The model, recording every `GasStore` its calls were given (per block: charges' and observeBlock's). */
function watched(model: GasModel): { model: GasModel; charged: Set<GasStore>; observed: GasStore[] } {
  const charged = new Set<GasStore>()
  const observed: GasStore[] = []
  const proxy = new Proxy(model, {
    get(target, key, receiver) {
      const v = Reflect.get(target, key, receiver)
      if (typeof v !== 'function') return v
      return (...args: unknown[]) => {
        if (key === 'observeBlock') observed.push((args[0] as { store: GasStore }).store)
        else if (key === 'upfront' || key === 'upfrontSync' || key === 'charge' || key === 'chargeSync') {
          const ctx = args[key.startsWith('charge') ? 2 : 1] as { store: GasStore }
          charged.add(ctx.store)
        }
        return v.apply(target, args)
      }
    },
  })
  return { model: proxy, charged, observed }
}

for (const workers of [0, 2]) {
  describe(`stateful gas models across blocks (workers=${workers})`, () => {
    const vm = parallelVm({ programs: [token], workers, minParallel: 1 })
    afterAll(() => vm.close())

    async function block(state: StateDb, gas: GasModel, number: bigint, nonces: bigint[]) {
      const raws = nonces.map((n) => call(token, 'transfer', { to: bob!.address, amount: 1n }, alice!, n))
      const txs = (await vm.decodeTxs(raws, { chainId: CHAIN_ID })) as ParallelTx[]
      for (const t of txs) if (t instanceof BaseError) throw t
      return vm.executeBlock({ ctx: blockContext(gas, number), deposits: [], txs, state, gas })
    }

    it('sponsored: the quota used in one block counts in the next, observeBlock writing through the charges store', async () => {
      const w = watched(sponsored({ paymaster: paymaster!.address, quota: { txPerWindow: 3n, windowBlocks: 100n } }))
      const state = memoryState()
      await vm.genesis(genesis, state)
      const first = await block(state, w.model, 1n, [0n, 1n])
      expect(first.receipts.map((r) => r.status)).toEqual(['success', 'success'])
      expect(w.observed).toHaveLength(1)
      expect(w.charged.has(w.observed[0]!)).toBe(true)
      expect(w.charged.size).toBe(1)
      // Two used in block 1: the third of the window passes, the fourth is over the quota.
      const second = await block(state, w.model, 2n, [2n, 3n])
      expect(second.receipts).toHaveLength(1)
      expect(second.excluded).toHaveLength(1)
      expect(second.excluded[0]!.error).toBeInstanceOf(QuotaExceededError)
      expect(w.observed).toHaveLength(2)
      expect(w.charged.has(w.observed[1]!)).toBe(true)
      expect((await state.getAccount(alice!.address))!.balance).toBe(10n ** 24n - 3n) // the paymaster paid the fees
    })

    it('rateLimited: the free tier used in one block is gone in the next', async () => {
      const then = eip1559({ initialBaseFee: 7n })
      const w = watched(rateLimited({ freeTxPerWindow: 2n, windowBlocks: 100n, then }))
      const state = memoryState()
      await vm.genesis(genesis, state)
      const first = await block(state, w.model, 1n, [0n, 1n])
      expect(first.receipts.every((r) => r.effectiveGasPrice === 0n)).toBe(true)
      expect((await state.getAccount(alice!.address))!.balance).toBe(10n ** 24n - 2n)
      expect(w.charged.has(w.observed[0]!)).toBe(true)
      const second = await block(state, w.model, 2n, [2n])
      expect(second.receipts[0]!.status).toBe('success')
      expect(second.receipts[0]!.effectiveGasPrice).toBe(7n)
      const fee = second.receipts[0]!.gasUsed * 7n
      expect((await state.getAccount(alice!.address))!.balance).toBe(10n ** 24n - 3n - fee)
      expect(w.charged.has(w.observed[1]!)).toBe(true)
    })
  })
}
