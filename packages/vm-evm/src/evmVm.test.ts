import {
  BaseError,
  EMPTY_TRIE_ROOT,
  FeeCapTooLowError,
  GasLimitExceedsBlockLimitError,
  type GenesisAlloc,
  hexToBytes,
  InsufficientFundsError,
  keccak256Hex,
  memoryDb,
  NonceTooHighError,
  NonceTooLowError,
  PREDEPLOYS,
  type Withdrawal,
} from '@appchain/core'
import { runVmConformance } from '@appchain/core/testing'
import { eip1559 } from '@appchain/gas'
import { createStateDb } from '@appchain/state'
import { encodeAbiParameters, encodeFunctionData, parseEther } from 'viem'
import { afterAll, describe, expect, it } from 'vitest'
import { messagePasserAbi } from './artifacts/messagePasser.js'
import { ethereumFees } from './ethereumFees.js'
import type { EvmTx } from './evmTx.js'
import { evmVm } from './evmVm.js'
import { stateGasStore } from './gasStore.js'
import { blockCtx, CHAIN_ID, lower, sign, testAccounts } from './testHelpers.js'

const [alice, bob, carol] = testAccounts(3) as [
  ReturnType<typeof testAccounts>[0],
  ReturnType<typeof testAccounts>[0],
  ReturnType<typeof testAccounts>[0],
]
const genesis: GenesisAlloc = {
  [lower(alice.address)]: { balance: parseEther('100') },
  [lower(bob.address)]: { balance: parseEther('100') },
  // returns 42 as a word / reverts with 42 as a word
  '0x00000000000000000000000000000000000000aa': { code: '0x602a60005260206000f3' },
  '0x00000000000000000000000000000000000000bb': { code: '0x602a60005260206000fd' },
}
const gas = eip1559({ initialBaseFee: 1_000_000_000n })
const fee = { maxFeePerGas: 2_000_000_000n, maxPriorityFeePerGas: 1_000_000n }

runVmConformance({
  name: 'evmVm',
  create: () => evmVm({ recovery: { workers: 1 } }),
  createState: () => createStateDb({ db: memoryDb() }),
  gas,
  chainId: CHAIN_ID,
  genesis,
  ctx: { coinbase: '0x00000000000000000000000000000000000c0ffe' },
  makeTxs: async () => [
    await sign(alice, { type: 'eip1559', to: bob.address, value: 1n, nonce: 0, gas: 21_000n, ...fee }),
    await sign(bob, { type: 'legacy', to: carol.address, value: 2n, nonce: 0, gas: 21_000n, gasPrice: 2_000_000_000n }),
    await sign(alice, {
      type: 'eip2930',
      to: carol.address,
      value: 3n,
      nonce: 1,
      gas: 30_000n,
      gasPrice: 2_000_000_000n,
      accessList: [{ address: carol.address, storageKeys: [] }],
    }),
  ],
})

describe('evmVm', () => {
  const vm = evmVm({ recovery: { workers: 0 } })
  afterAll(() => vm.close())

  async function fresh() {
    const state = createStateDb({ db: memoryDb() })
    await vm.genesis(genesis, state)
    return state
  }
  async function decode(raws: Uint8Array[]): Promise<EvmTx[]> {
    return (await vm.decodeTxs(raws, { chainId: CHAIN_ID })).map((t) => {
      if (t instanceof BaseError) throw t
      return t
    })
  }

  it('charges EIP-1559 fees: sender pays gasUsed × price, coinbase gets the tip, base fee burnt', async () => {
    const state = await fresh()
    const txs = await decode([
      await sign(alice, { type: 'eip1559', to: bob.address, value: 5n, nonce: 0, gas: 50_000n, ...fee }),
    ])
    const r = await vm.executeBlock({ ctx: blockCtx(), deposits: [], txs, state, gas })
    expect(r.receipts[0]).toMatchObject({
      status: 'success',
      gasUsed: 21_000n,
      effectiveGasPrice: 1_001_000_000n,
      type: 2,
    })
    expect((await state.getAccount(lower(alice.address)))!.balance).toBe(
      parseEther('100') - 5n - 21_000n * 1_001_000_000n,
    )
    expect((await state.getAccount('0x00000000000000000000000000000000000c0ffe'))!.balance).toBe(21_000n * 1_000_000n)
    expect((await state.getAccount(lower(alice.address)))!.nonce).toBe(1n)
  })

  it('excludes invalid transactions with typed errors and leaves the state untouched', async () => {
    const state = await fresh()
    const before = await state.root()
    const raws = [
      await sign(alice, { type: 'eip1559', to: bob.address, value: 1n, nonce: 5, gas: 21_000n, ...fee }),
      await sign(carol, { type: 'eip1559', to: bob.address, value: 1n, nonce: 0, gas: 21_000n, ...fee }),
      await sign(alice, {
        type: 'eip1559',
        to: bob.address,
        value: 1n,
        nonce: 0,
        gas: 21_000n,
        maxFeePerGas: 10n,
        maxPriorityFeePerGas: 1n,
      }),
      await sign(alice, { type: 'eip1559', to: bob.address, value: 1n, nonce: 0, gas: 40_000_000n, ...fee }),
    ]
    const r = await vm.executeBlock({
      ctx: blockCtx(),
      deposits: [],
      txs: await decode(raws),
      state,
      gas: ethereumFees({ baseFeePerGas: 1_000_000_000n }),
    })
    expect(r.receipts).toHaveLength(0)
    expect(r.excluded.map((e) => e.error.constructor)).toEqual([
      NonceTooHighError,
      InsufficientFundsError,
      FeeCapTooLowError,
      GasLimitExceedsBlockLimitError,
    ])
    expect(r.excluded[1]!.error.data).toMatchObject({ address: lower(carol.address), balance: 0n })
    expect(r.stateRoot).toBe(before)
    await expect(vm.validateTx((await decode([raws[0]!]))[0]!, state, blockCtx())).resolves.toBeUndefined()
    const ok = await decode([
      await sign(alice, { type: 'eip1559', to: bob.address, value: 1n, nonce: 0, gas: 21_000n, ...fee }),
    ])
    await vm.executeBlock({ ctx: blockCtx(), deposits: [], txs: ok, state, gas })
    await expect(vm.validateTx(ok[0]!, state, blockCtx())).rejects.toBeInstanceOf(NonceTooLowError)
  })

  it('executes deposits first: mint then call, no fee, mint kept when the call fails', async () => {
    const state = await fresh()
    const depositor = '0x00000000000000000000000000000000000d0d0d'
    const deposits = [
      {
        sourceHash: keccak256Hex('0x01'),
        from: depositor,
        to: lower(carol.address),
        mint: 10n,
        value: 4n,
        gasLimit: 100_000n,
        data: '0x' as const,
        isCreation: false,
        l1BlockNumber: 1n,
      },
      // to the reverting contract: the call fails, the mint stays
      {
        sourceHash: keccak256Hex('0x02'),
        from: depositor,
        to: '0x00000000000000000000000000000000000000bb',
        mint: 7n,
        value: 1n,
        gasLimit: 100_000n,
        data: '0x' as const,
        isCreation: false,
        l1BlockNumber: 1n,
      },
    ] as const
    const txs = await decode([
      await sign(alice, { type: 'eip1559', to: bob.address, value: 1n, nonce: 0, gas: 21_000n, ...fee }),
    ])
    const r = await vm.executeBlock({ ctx: blockCtx(), deposits: [...deposits], txs, state, gas })
    expect(r.receipts.map((x) => [x.type, x.status])).toEqual([
      [0x7e, 'success'],
      [0x7e, 'reverted'],
      [2, 'success'],
    ])
    expect(r.included).toHaveLength(3)
    expect((await state.getAccount(lower(carol.address)))!.balance).toBe(4n)
    expect(await state.getAccount(depositor)).toMatchObject({ balance: 10n - 4n + 7n, nonce: 2n })
    expect(r.receipts[0]!.effectiveGasPrice).toBe(0n)
  })

  it('records withdrawals through the message passer predeploy and calls the hook', async () => {
    const seen: Withdrawal[] = []
    const hooked = evmVm({ recovery: { workers: 0 }, messagePasser: { onWithdrawal: (w) => void seen.push(w) } })
    try {
      const state = createStateDb({ db: memoryDb() })
      await hooked.genesis(genesis, state)
      const data = encodeFunctionData({
        abi: messagePasserAbi,
        functionName: 'initiateWithdrawal',
        args: [bob.address, 50_000n, '0xbeef'],
      })
      const raw = await sign(alice, {
        type: 'eip1559',
        to: PREDEPLOYS.l2ToL1MessagePasser,
        value: 1000n,
        data,
        nonce: 0,
        gas: 200_000n,
        ...fee,
      })
      const txs = (await hooked.decodeTxs([raw], { chainId: CHAIN_ID })) as EvmTx[]
      const r = await hooked.executeBlock({ ctx: blockCtx(), deposits: [], txs, state, gas })
      expect(r.receipts[0]!.status).toBe('success')
      expect(r.withdrawals).toHaveLength(1)
      const w = r.withdrawals[0]!
      expect(w).toMatchObject({
        nonce: 0n,
        sender: lower(alice.address),
        target: lower(bob.address),
        value: 1000n,
        gasLimit: 50_000n,
        data: '0xbeef',
      })
      const expected = keccak256Hex(
        encodeAbiParameters(
          [
            { type: 'uint256' },
            { type: 'address' },
            { type: 'address' },
            { type: 'uint256' },
            { type: 'uint256' },
            { type: 'bytes' },
          ],
          [0n, alice.address, bob.address, 1000n, 50_000n, '0xbeef'],
        ),
      )
      expect(w.hash).toBe(expected)
      expect(seen).toEqual([w])
      expect(r.withdrawalsRoot).not.toBe(EMPTY_TRIE_ROOT)
      expect((await state.getAccount(PREDEPLOYS.l2ToL1MessagePasser))!.balance).toBe(1000n)
    } finally {
      await hooked.close()
    }
  })

  it('call() returns data, revert data, and leaves no trace in the state', async () => {
    const state = await fresh()
    const root = await state.root()
    const ok = await vm.call({ to: '0x00000000000000000000000000000000000000aa' }, state, blockCtx())
    expect(ok).toMatchObject({ status: 'success', returnData: `0x${'00'.repeat(31)}2a` })
    expect(ok.gasUsed).toBeGreaterThan(21_000n)
    const reverted = await vm.call(
      { from: lower(alice.address), to: '0x00000000000000000000000000000000000000bb', value: 5n },
      state,
      blockCtx(),
    )
    expect(reverted).toMatchObject({ status: 'reverted', returnData: `0x${'00'.repeat(31)}2a` })
    expect(await state.root()).toBe(root)
  })

  it('backs a GasStore with storage of the gasStore predeploy (part of the state root)', async () => {
    const state = await fresh()
    const before = await state.root()
    const store = stateGasStore(state)
    expect(await store.get('quota:x')).toBe(0n)
    await store.set('quota:x', 12345n)
    expect(await store.get('quota:x')).toBe(12345n)
    expect(await state.root()).not.toBe(before)
    expect(await state.storageRoot(PREDEPLOYS.gasStore)).not.toBe(EMPTY_TRIE_ROOT)
    await expect(store.set('quota:x', -1n)).rejects.toBeInstanceOf(RangeError)
  })

  it('executes EIP-7702 set-code transactions (Prague)', async () => {
    const state = await fresh()
    const auth = await bob.signAuthorization({
      chainId: Number(CHAIN_ID),
      address: '0x00000000000000000000000000000000000000aa',
      nonce: 0,
    })
    const raw = await sign(alice, {
      type: 'eip7702',
      to: bob.address,
      authorizationList: [auth],
      nonce: 0,
      gas: 100_000n,
      ...fee,
    })
    const txs = await decode([raw])
    expect(txs[0]!.type).toBe(4)
    const r = await vm.executeBlock({ ctx: blockCtx(), deposits: [], txs, state, gas })
    expect(r.receipts[0]!.status).toBe('success')
    expect(await state.getCode(lower(bob.address))).toEqual(
      hexToBytes('0xef010000000000000000000000000000000000000000aa'),
    )
    expect((await state.getAccount(lower(bob.address)))!.nonce).toBe(1n)
    // bob now runs the delegate's code
    const out = await vm.call({ to: lower(bob.address) }, state, blockCtx())
    expect(out.returnData).toBe(`0x${'00'.repeat(31)}2a`)
  })
})
