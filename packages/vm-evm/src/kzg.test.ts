import { createHash } from 'node:crypto'
import { memoryDb } from '@appchain/core'
import { createStateDb } from '@appchain/state'
import { afterAll, expect, it } from 'vitest'
import { evmVm } from './evmVm.js'
import { pointEvaluationKzg } from './kzg.js'
import { blockCtx } from './testHelpers.js'

// The zero polynomial: commitment and proof are the point at infinity, and p(z) = 0 for every z.
const INFINITY = `c0${'00'.repeat(47)}`
const versionedHash = `01${createHash('sha256').update(Buffer.from(INFINITY, 'hex')).digest('hex').slice(2)}`
const z = '00'.repeat(31) + '05'
const input = (y: string) => `0x${versionedHash}${z}${y}${INFINITY}${INFINITY}` as const
const vm = evmVm({ hardfork: 'cancun', recovery: { workers: 0 } })
afterAll(() => vm.close())

it('the KZG point-evaluation precompile (0x0a) verifies a proof and refuses a wrong evaluation', async () => {
  const state = createStateDb({ db: memoryDb() })
  await vm.genesis({}, state)
  const to = '0x000000000000000000000000000000000000000a'
  const ok = await vm.call({ to, data: input('00'.repeat(32)), gas: 200_000n }, state, blockCtx())
  expect(ok.status).toBe('success')
  // FIELD_ELEMENTS_PER_BLOB and BLS_MODULUS
  expect(ok.returnData).toBe(
    `0x${(4096).toString(16).padStart(64, '0')}73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001`,
  )
  const bad = await vm.call({ to, data: input(`${'00'.repeat(31)}01`), gas: 200_000n }, state, blockCtx())
  expect(bad.status).toBe('reverted')
})

it('pointEvaluationKzg refuses blob operations an L2 does not have', () => {
  expect(() => pointEvaluationKzg().blobToKzgCommitment('0x')).toThrow(TypeError)
})
