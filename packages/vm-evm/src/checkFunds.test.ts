import { type Address, BaseError, InsufficientFundsError, memoryDb } from '@appchain/core'
import { eip1559, sponsored } from '@appchain/gas'
import { createStateDb } from '@appchain/state'
import { parseEther } from 'viem'
import { afterAll, describe, expect, it } from 'vitest'
import type { EvmTx } from './evmTx.js'
import { evmVm } from './evmVm.js'
import { blockCtx, CHAIN_ID, lower, sign, testAccounts } from './testHelpers.js'

const [player, alice] = testAccounts(2) as [ReturnType<typeof testAccounts>[0], ReturnType<typeof testAccounts>[0]]
const PAYMASTER: Address = '0x00000000000000000000000000000000000000aa'
const TARGET: Address = '0x000000000000000000000000000000000000beef'

describe('funds rule follows the upfront payer', () => {
  const vm = evmVm({ recovery: { workers: 0 } })
  afterAll(() => vm.close())

  async function setup() {
    const state = createStateDb({ db: memoryDb() })
    await vm.genesis(
      { [PAYMASTER]: { balance: parseEther('10') }, [lower(alice.address)]: { balance: parseEther('1') } },
      state,
    )
    return state
  }
  async function decode(raw: Uint8Array): Promise<EvmTx> {
    const [tx] = await vm.decodeTxs([raw], { chainId: CHAIN_ID })
    if (tx instanceof BaseError || tx === undefined) throw tx
    return tx
  }

  it('admits and executes a zero-balance player with a non-zero fee cap when the paymaster pays', async () => {
    const state = await setup()
    const gas = sponsored({
      paymaster: PAYMASTER,
      quota: { txPerWindow: 10n, gasPerWindow: 1_000_000n, windowBlocks: 100n },
    })
    const ctx = blockCtx({ fees: gas.genesisFees() })
    // 5 gwei × 21000 is far more than the player's 0 wei.
    const tx = await decode(
      await sign(player, {
        type: 'eip1559',
        to: TARGET,
        value: 0n,
        nonce: 0,
        gas: 21_000n,
        maxFeePerGas: 5_000_000_000n,
        maxPriorityFeePerGas: 0n,
      }),
    )
    // Without the gas model the sender is assumed to pay: Ethereum's rule refuses it.
    await expect(vm.validateTx(tx, state, ctx)).rejects.toBeInstanceOf(InsufficientFundsError)
    await expect(vm.validateTx(tx, state, ctx, gas)).resolves.toBeUndefined()
    const r = await vm.executeBlock({ ctx, deposits: [], txs: [tx], state, gas })
    expect(r.excluded).toEqual([])
    expect(r.receipts[0]).toMatchObject({ status: 'success', gasUsed: 21_000n, feePayer: PAYMASTER })
    expect((await state.getAccount(lower(player.address)))?.nonce).toBe(1n)
    expect((await state.getAccount(lower(player.address)))?.balance).toBe(0n)
    expect((await state.getAccount(PAYMASTER))?.balance).toBe(parseEther('10') - 21_000n * 1_000_000_000n)
  })

  it('still requires value from a sponsored sender', async () => {
    const state = await setup()
    const gas = sponsored({
      paymaster: PAYMASTER,
      quota: { txPerWindow: 10n, gasPerWindow: 1_000_000n, windowBlocks: 100n },
    })
    const ctx = blockCtx({ fees: gas.genesisFees() })
    const tx = await decode(
      await sign(player, {
        type: 'eip1559',
        to: TARGET,
        value: 1n,
        nonce: 0,
        gas: 21_000n,
        maxFeePerGas: 1n,
        maxPriorityFeePerGas: 0n,
      }),
    )
    const e = await vm.validateTx(tx, state, ctx, gas).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(InsufficientFundsError)
    expect(e).toMatchObject({ data: { cost: 1n, balance: 0n } })
  })

  it('keeps Ethereum’s rule (gasLimit × maxFeePerGas + value) when the sender pays', async () => {
    const state = await setup()
    const gas = eip1559({ initialBaseFee: 1_000_000_000n })
    const ctx = blockCtx({ fees: gas.genesisFees() })
    // 1 ETH balance; 1 ETH value + 21000 × 2 gwei is more.
    const tx = await decode(
      await sign(alice, {
        type: 'eip1559',
        to: TARGET,
        value: parseEther('1'),
        nonce: 0,
        gas: 21_000n,
        maxFeePerGas: 2_000_000_000n,
        maxPriorityFeePerGas: 0n,
      }),
    )
    await expect(vm.validateTx(tx, state, ctx, gas)).rejects.toBeInstanceOf(InsufficientFundsError)
    const r = await vm.executeBlock({ ctx, deposits: [], txs: [tx], state, gas })
    expect(r.excluded[0]?.error).toBeInstanceOf(InsufficientFundsError)
  })
})
