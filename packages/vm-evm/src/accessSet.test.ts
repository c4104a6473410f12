import { type Address, BaseError, gasStoreSlot, memoryDb, PREDEPLOYS } from '@appchain/core'
import { demandKey, eip1559, localFeeMarkets } from '@appchain/gas'
import { createStateDb } from '@appchain/state'
import { parseEther } from 'viem'
import { afterAll, describe, expect, it } from 'vitest'
import { decodeSignedTx } from './decodeSignedTx.js'
import type { EvmTx } from './evmTx.js'
import { evmVm } from './evmVm.js'
import { blockCtx, CHAIN_ID, lower, sign, testAccounts } from './testHelpers.js'

const senders = testAccounts(4)
const alice = senders[0]!
const HOT: Address = '0x000000000000000000000000000000000000beef'
const OTHER: Address = '0x000000000000000000000000000000000000cafe'
const fee = { maxFeePerGas: 2_000_000_000n, maxPriorityFeePerGas: 1_000_000n }

describe('access sets of decoded transactions', () => {
  const vm = evmVm({ recovery: { workers: 0 } })
  afterAll(() => vm.close())

  it('reports sender and recipient as writes for a plain transfer (decodeTxs and decodeSignedTx)', async () => {
    const raw = await sign(alice, { type: 'eip1559', to: HOT, value: 1n, nonce: 0, gas: 21_000n, ...fee })
    const [tx] = await vm.decodeTxs([raw], { chainId: CHAIN_ID })
    expect(tx).not.toBeInstanceOf(BaseError)
    expect((tx as EvmTx).accessSet).toEqual({ reads: [], writes: [lower(alice.address), HOT] })
    const one = decodeSignedTx(raw, { chainId: CHAIN_ID, hardfork: 'prague', allowUnprotected: false })
    expect(one.accessSet).toEqual({ reads: [], writes: [lower(alice.address), HOT] })
  })

  it('adds access-list addresses (once) and leaves out a missing recipient', async () => {
    const [withList, create] = (await vm.decodeTxs(
      [
        await sign(alice, {
          type: 'eip2930',
          to: HOT,
          nonce: 0,
          gas: 50_000n,
          gasPrice: 2_000_000_000n,
          accessList: [
            { address: OTHER, storageKeys: [] },
            { address: HOT, storageKeys: [] },
          ],
        }),
        await sign(alice, { type: 'eip1559', data: '0x00', nonce: 1, gas: 100_000n, ...fee }),
      ],
      { chainId: CHAIN_ID },
    )) as EvmTx[]
    expect(withList!.accessSet).toEqual({ reads: [OTHER, HOT], writes: [lower(alice.address), HOT, OTHER] })
    expect(create!.accessSet).toEqual({ reads: [], writes: [lower(alice.address)] })
  })

  it('lets localFeeMarkets count demand on the recipient of plain transfers', async () => {
    const state = createStateDb({ db: memoryDb() })
    await vm.genesis(Object.fromEntries(senders.map((s) => [lower(s.address), { balance: parseEther('1') }])), state)
    const gas = localFeeMarkets({ base: eip1559({ initialBaseFee: 1_000_000_000n }), hotThreshold: 1 })
    const txs = (await vm.decodeTxs(
      await Promise.all(
        senders.map((s) => sign(s, { type: 'eip1559', to: HOT, value: 1n, nonce: 0, gas: 21_000n, ...fee })),
      ),
      { chainId: CHAIN_ID },
    )) as EvmTx[]
    const r = await vm.executeBlock({ ctx: blockCtx({ fees: gas.genesisFees() }), deposits: [], txs, state, gas })
    expect(r.included).toHaveLength(4)
    const word = await state.getStorage(PREDEPLOYS.gasStore, gasStoreSlot(demandKey('lfm', HOT)))
    expect(BigInt(word)).toBeGreaterThan(0n)
    // The next block prices transfers to the hot account above the base fee.
    const next = (await vm.decodeTxs(
      [await sign(alice, { type: 'eip1559', to: HOT, value: 1n, nonce: 1, gas: 21_000n, ...fee })],
      { chainId: CHAIN_ID },
    )) as EvmTx[]
    const { stateGasStore } = await import('./gasStore.js')
    expect(await gas.factorOf(next[0]!, 2n, stateGasStore(state))).toBeGreaterThan(1_000_000n)
  })
})
