import { type Address, memoryDb } from '@appchain/core'
import { createStateDb } from '@appchain/state'
import { afterAll, describe, expect, it } from 'vitest'
import { evmVm } from './evmVm.js'
import { blockCtx } from './testHelpers.js'

// PUSH1 0 PUSH1 0 SSTORE STOP: clears slot 0 (set at genesis), which earns a refund.
const CLEARS: Address = '0x00000000000000000000000000000000000000c1'
const EOA: Address = '0x000000000000000000000000000000000000beef'

describe('call() gas for eth_estimateGas', () => {
  const vm = evmVm({ recovery: { workers: 0 } })
  afterAll(() => vm.close())

  async function fresh() {
    const state = createStateDb({ db: memoryDb() })
    await vm.genesis({ [CLEARS]: { code: '0x600060005500', storage: { '0x00': '0x01' } } }, state)
    return state
  }

  it('reports the gas consumed before refunds, which is what the transaction must be given', async () => {
    const state = await fresh()
    const r = await vm.call({ to: CLEARS }, state, blockCtx())
    expect(r.status).toBe('success')
    // 21000 + 2 × PUSH1 + cold SSTORE clearing a slot (2100 + 2900); refund 4800.
    expect(r.gasUsedBeforeRefund).toBe(26_006n)
    expect(r.gasUsed).toBe(26_006n - 4_800n)
    // The refunded figure is not enough as a gas limit; the pre-refund one is.
    expect((await vm.call({ to: CLEARS, gas: r.gasUsed }, state, blockCtx())).status).toBe('reverted')
    expect((await vm.call({ to: CLEARS, gas: r.gasUsedBeforeRefund! }, state, blockCtx())).status).toBe('success')
  })

  it('counts the EIP-7623 calldata floor', async () => {
    const state = await fresh()
    const data = `0x${'ff'.repeat(1000)}` as const
    const r = await vm.call({ to: EOA, data }, state, blockCtx())
    // intrinsic 21000 + 16 × 1000 = 37000; floor 21000 + 40 × 1000 = 61000.
    expect(r).toMatchObject({ status: 'success', gasUsed: 61_000n, gasUsedBeforeRefund: 61_000n })
    expect((await vm.call({ to: EOA, data, gas: 40_000n }, state, blockCtx())).status).toBe('reverted')
  })
})
