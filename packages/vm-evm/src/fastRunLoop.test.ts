import { type Address, memoryDb } from '@appchain/core'
import { createStateDb } from '@appchain/state'
import { afterAll, describe, expect, it } from 'vitest'
import { evmVm } from './evmVm.js'
import { blockCtx } from './testHelpers.js'

// GAS PUSH1 0 MSTORE GAS PUSH1 32 MSTORE PUSH1 64 PUSH1 0 RETURN: returns the gas left at both GAS opcodes.
const GAS_PROBE: Address = '0x00000000000000000000000000000000000000a5'

describe('fast run loop gas counter', () => {
  const vm = evmVm({ recovery: { workers: 0 } })
  afterAll(() => vm.close())

  // 2^40 runs on the number counter, 2^60 (above 2^53) on the interpreter's bigint one: same accounting.
  for (const gas of [2n ** 40n, 2n ** 60n]) {
    it(`reports exact gas left to GAS with a ${gas.toString(2).length - 1}-bit gas limit`, async () => {
      const state = createStateDb({ db: memoryDb() })
      await vm.genesis({ [GAS_PROBE]: { code: '0x5a6000525a60205260406000f3' } }, state)
      const r = await vm.call({ to: GAS_PROBE, gas }, state, blockCtx({ gasLimit: gas }))
      expect(r.status).toBe('success')
      const first = BigInt(r.returnData.slice(0, 66))
      const second = BigInt(`0x${r.returnData.slice(66)}`)
      // intrinsic 21000, GAS 2; then PUSH1 3 + MSTORE 3 + one memory word 3, GAS 2
      expect(first).toBe(gas - 21_002n)
      expect(second).toBe(first - 11n)
      // ... PUSH1 3 + MSTORE 3 + second memory word 3, PUSH1 3, PUSH1 3, RETURN 0
      expect(r.gasUsed).toBe(gas - second + 15n)
    })
  }
})
