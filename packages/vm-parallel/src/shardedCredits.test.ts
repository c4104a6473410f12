import type { Address, BlockContext, GasModel, GenesisAlloc } from '@appchain/core'
import { BaseError, memoryDb, PREDEPLOYS } from '@appchain/core'
import { eip1559, withL1DataFee } from '@appchain/gas'
import { afterAll, describe, expect, it } from 'vitest'
import { blockContext, CHAIN_ID, call, keys, memoryState } from '../test/helpers.js'
import type { ParallelTx } from './parallelTx.js'
import { parallelVm } from './parallelVm.js'
import { nativeToken } from './programs/nativeToken.js'

// Fee credits on the sharded pipeline: the main thread adds them after the workers' changes, starting from the
// recipient's value after the block (the block may have changed it: a coinbase that sends or receives) or before
// it (untouched). Priority fees make the coinbase's credit non-zero; withL1DataFee also credits its fee vault.
const people = keys(8, 'credits')
const token = nativeToken({ authority: people[0]!.address })
const genesis: GenesisAlloc = Object.fromEntries(people.map((p) => [p.address, { balance: 10n ** 20n }]))
const outsider = '0x00000000000000000000000000000000000c0ffe' as Address

const models: [string, () => GasModel][] = [
  ['eip1559', () => eip1559({ initialBaseFee: 3n })],
  [
    'withL1DataFee',
    () => withL1DataFee(eip1559({ initialBaseFee: 3n, feeRecipient: PREDEPLOYS.feeVault }), { pricePerByte: 7n }),
  ],
]

describe('sharded pipeline: fee credits', () => {
  const reference = parallelVm({ programs: [token], workers: 0 })
  const sharded = parallelVm({ programs: [token], workers: 2, minParallel: 1, shardedState: true })
  afterAll(() => sharded.close())

  /** Two blocks: every person sends twice (to the next person, and to `receiver`), tipping the coinbase. */
  async function blocks(
    vm: typeof sharded,
    coinbase: Address,
    receiver: Address,
    gas: GasModel,
    state: Parameters<typeof vm.genesis>[1],
  ) {
    await vm.genesis(genesis, state)
    const out = []
    for (let b = 0; b < 2; b++) {
      const raws = people.flatMap((p, i) => [
        call(token, 'transfer', { to: people[(i + 1) % people.length]!.address, amount: 5n }, p, BigInt(2 * b), {
          maxFeePerGas: 100n,
          maxPriorityFeePerGas: 2n + BigInt(i),
        }),
        call(token, 'transfer', { to: receiver, amount: 1n }, p, BigInt(2 * b + 1), {
          maxFeePerGas: 100n,
          maxPriorityFeePerGas: 1n,
        }),
      ])
      const txs = (await vm.decodeTxs(raws, { chainId: CHAIN_ID })) as ParallelTx[]
      for (const t of txs) if (t instanceof BaseError) throw t
      const ctx: BlockContext = { ...blockContext(gas, BigInt(b + 1)), coinbase }
      out.push(await vm.executeBlock({ ctx, deposits: [], txs, state, gas }))
    }
    return { out, coinbase: await state.getAccount(coinbase), vault: await state.getAccount(PREDEPLOYS.feeVault) }
  }

  // A sender and receiver of the block, an account it only sends to, and one only the credits touch.
  for (const [name, coinbase, receiver] of [
    ['a sender', people[3]!.address, people[3]!.address],
    ['an outsider the block pays', outsider, outsider],
    ['an outsider only the credits touch', outsider, people[0]!.address],
  ] as const)
    for (const [model, make] of models)
      it(`${model}: the coinbase is ${name}; roots and balances equal the reference`, async () => {
        const expected = await blocks(reference, coinbase, receiver, make(), memoryState())
        const state = await sharded.openState!(memoryDb(), {})
        try {
          const got = await blocks(sharded, coinbase, receiver, make(), state)
          // The blocks ran on the sharded pipeline (only it times shardRoot).
          expect(sharded.lastStats()?.timings.shardRoot).toBeDefined()
          expect(got.out.map((b) => b.stateRoot)).toEqual(expected.out.map((b) => b.stateRoot))
          expect(got.coinbase).toEqual(expected.coinbase)
          expect(got.vault).toEqual(expected.vault)
          // The credits are real: the outsider holds more than the blocks sent it.
          if (coinbase === outsider)
            expect(expected.coinbase!.balance).toBeGreaterThan(receiver === outsider ? 16n : 0n)
        } finally {
          await state.close()
        }
      })
})
