import {
  GasModelConfigError,
  PaymasterInsufficientFundsError,
  QuotaExceededError,
  UnknownFeeTokenError,
} from '@appchain/core'
import { memoryGasStore, runGasModelConformance } from '@appchain/core/testing'
import { describe, expect, it } from 'vitest'
import { ledger } from '../test/ledger.js'
import { ALICE, BOB, COINBASE, caught, ctx, PAYMASTER, tx } from '../test/txs.js'
import { NotSponsoredError } from './errors.js'
import { sponsored } from './sponsored.js'

const quota = { txPerWindow: 3n, gasPerWindow: 100_000n, windowBlocks: 10n }
const gwei = 1_000_000_000n

runGasModelConformance({
  create: () => sponsored({ paymaster: PAYMASTER, quota }),
  admissibleTxs: [tx({ fee: { maxFeePerGas: 0n, maxPriorityFeePerGas: 0n } }), tx({ sender: BOB, gasLimit: 50_000n })],
})

describe('sponsored', () => {
  it('charges the paymaster gasUsed × gasPrice and the user nothing, with the user at zero balance', async () => {
    const m = sponsored({ paymaster: PAYMASTER, quota, gasPrice: 2n * gwei })
    const l = ledger(m, { [PAYMASTER]: 10n ** 18n })
    const t = tx({ gasLimit: 30_000n, fee: { maxFeePerGas: 0n, maxPriorityFeePerGas: 0n } })
    await m.admit(t, { ...ctx({ balances: { [PAYMASTER]: 10n ** 18n } }), store: l.store })
    const { charges } = await l.block(1n, [{ tx: t, gasUsed: 21_000n }])
    expect(charges).toEqual([
      {
        payer: PAYMASTER,
        amount: 42_000n * gwei,
        burnt: 0n,
        credits: [{ to: COINBASE, amount: 42_000n * gwei }],
        effectiveGasPrice: 2n * gwei,
      },
    ])
    expect(l.balance(ALICE)).toBe(0n)
    expect(l.balance(PAYMASTER)).toBe(10n ** 18n - 42_000n * gwei)
    expect(l.balance(COINBASE)).toBe(42_000n * gwei)
    expect(m.quote(l.fees)).toEqual({ gasPrice: 0n, maxPriorityFeePerGas: 0n })
    expect(l.fees).toEqual({ baseFeePerGas: 0n })
  })

  it("checks the paymaster's funds on the VM's cached balance (peekBalance) when it has one, on balanceOf otherwise", async () => {
    const m = sponsored({ paymaster: PAYMASTER, quota: { windowBlocks: 10n }, gasPrice: gwei })
    const asked: string[] = []
    const c = (peek: bigint | undefined) =>
      ctx({
        balanceOf: async (a) => {
          asked.push(a)
          return 10n ** 18n
        },
        peekBalance: (a) => (a === PAYMASTER ? peek : undefined),
      })
    const e = await caught(() => m.upfront(tx({ gasLimit: 30_000n }), c(29_999n * gwei)))
    expect(e).toBeInstanceOf(PaymasterInsufficientFundsError)
    expect((e as PaymasterInsufficientFundsError).data).toEqual({
      paymaster: PAYMASTER,
      balance: 29_999n * gwei,
      cost: 30_000n * gwei,
    })
    expect(await m.upfront(tx({ gasLimit: 30_000n }), c(30_000n * gwei))).toEqual({
      payer: PAYMASTER,
      amount: 30_000n * gwei,
    })
    expect(asked).toEqual([])
    // Not cached: the state decides.
    await m.upfront(tx({ gasLimit: 30_000n }), c(undefined))
    expect(asked).toEqual([PAYMASTER])
  })

  it('refuses the 4th transaction of a window at admission and at execution, and resets at the window edge', async () => {
    const m = sponsored({ paymaster: PAYMASTER, quota })
    const l = ledger(m, { [PAYMASTER]: 10n ** 18n })
    const admit = (n: bigint) => m.admit(tx(), { ...ctx({ blockNumber: n }), store: l.store })
    const r = await l.block(
      3n,
      [1, 2, 3, 4].map(() => ({ tx: tx(), gasUsed: 21_000n })),
    )
    expect(r.charges).toHaveLength(3)
    expect(r.excluded).toHaveLength(1)
    expect(r.excluded[0]?.error).toBeInstanceOf(QuotaExceededError)
    const e = await caught(() => admit(9n))
    expect(e).toBeInstanceOf(QuotaExceededError)
    expect((e as QuotaExceededError).data).toEqual({
      address: ALICE,
      quota: 'txPerWindow',
      used: 3n,
      limit: 3n,
      resetsAtBlock: 10n,
    })
    // Bob has his own quota; Alice's resets at block 10.
    await m.admit(tx({ sender: BOB }), { ...ctx({ blockNumber: 9n }), store: l.store })
    await admit(10n)
  })

  it('counts gas actually used against gasPerWindow, checking the gas limit as the worst case', async () => {
    const m = sponsored({ paymaster: PAYMASTER, quota: { gasPerWindow: 100_000n, windowBlocks: 10n } })
    const l = ledger(m, { [PAYMASTER]: 10n ** 18n })
    await l.block(1n, [{ tx: tx({ gasLimit: 80_000n }), gasUsed: 60_000n }])
    await m.admit(tx({ gasLimit: 40_000n }), { ...ctx(), store: l.store })
    const e = await caught(() => m.admit(tx({ gasLimit: 40_001n }), { ...ctx(), store: l.store }))
    expect((e as QuotaExceededError).data).toEqual({
      address: ALICE,
      quota: 'gasPerWindow',
      used: 60_000n,
      limit: 100_000n,
      resetsAtBlock: 10n,
    })
  })

  it('stops cleanly when the paymaster runs dry: the rest are excluded, nobody half-charged', async () => {
    const m = sponsored({ paymaster: PAYMASTER, quota: { windowBlocks: 1n }, gasPrice: 1n })
    // Enough to hold two 21,000-gas transactions but not a third.
    const l = ledger(m, { [PAYMASTER]: 50_000n })
    const r = await l.block(
      1n,
      [ALICE, BOB, ALICE, BOB].map((sender, i) => ({ tx: tx({ sender, nonce: BigInt(i) }), gasUsed: 21_000n })),
    )
    expect(r.charges.map((c) => c.amount)).toEqual([21_000n, 21_000n])
    expect(r.excluded.map((x) => x.error.name)).toEqual([
      'PaymasterInsufficientFundsError',
      'PaymasterInsufficientFundsError',
    ])
    expect((r.excluded[0]!.error as PaymasterInsufficientFundsError).data).toEqual({
      paymaster: PAYMASTER,
      balance: 8_000n,
      cost: 21_000n,
    })
    expect(l.balance(PAYMASTER)).toBe(8_000n)
    expect(l.balance(COINBASE)).toBe(42_000n)
    expect(l.balance(ALICE) + l.balance(BOB)).toBe(0n)
    const admitted = await caught(() =>
      m.admit(tx(), { ...ctx({ balances: { [PAYMASTER]: 8_000n } }), store: l.store }),
    )
    expect(admitted).toBeInstanceOf(PaymasterInsufficientFundsError)
  })

  it('counts transactions held earlier in the same block when a VM runs every upfront first (parallel VM)', async () => {
    const m = sponsored({ paymaster: PAYMASTER, quota: { txPerWindow: 2n, gasPerWindow: 60_000n, windowBlocks: 10n } })
    const c = ctx()
    await m.upfront(tx({ nonce: 0n }), c)
    await m.upfront(tx({ nonce: 1n }), c)
    const third = await caught(() => m.upfront(tx({ nonce: 2n }), c))
    expect((third as QuotaExceededError).data).toMatchObject({ quota: 'txPerWindow', used: 2n, limit: 2n })
    // Bob's gas: 21,000 held, so 40,000 more does not fit in 60,000.
    await m.upfront(tx({ sender: BOB, nonce: 0n }), c)
    const gas = await caught(() => m.upfront(tx({ sender: BOB, nonce: 1n, gasLimit: 40_000n }), c))
    expect((gas as QuotaExceededError).data).toMatchObject({ quota: 'gasPerWindow', used: 21_000n })
    // A new block execution (a new store object) starts without holds; only charged usage counts.
    const next = ctx({ store: { get: c.store.get, set: c.store.set } })
    await m.upfront(tx({ nonce: 0n }), next)
  })

  it('release drops the quota an excluded transaction held, so the block can use it again', async () => {
    const m = sponsored({ paymaster: PAYMASTER, quota: { txPerWindow: 1n, windowBlocks: 10n } })
    const c = ctx()
    const excluded = tx({ nonce: 0n })
    await m.upfront(excluded, c)
    const other = tx({ nonce: 0n, hash: `0x${'02'.repeat(32)}` })
    // Held: the window's one transaction is taken within this block.
    expect(await caught(() => m.upfront(other, c))).toBeInstanceOf(QuotaExceededError)
    m.release!(excluded, c)
    m.release!(excluded, c)
    expect((await m.upfront(other, c)).payer).toBe(PAYMASTER)
    await m.charge(other, 21_000n, c)
    // Used now (charged into the store): no release brings it back.
    m.release!(other, c)
    expect(await caught(() => m.upfront(tx({ nonce: 1n }), c))).toBeInstanceOf(QuotaExceededError)
  })

  it('sponsors only allowed senders, or what a predicate accepts', async () => {
    const list = sponsored({
      paymaster: PAYMASTER,
      quota,
      allow: [BOB.toUpperCase().replace('0X', '0x') as `0x${string}`],
    })
    await list.admit(tx({ sender: BOB }), ctx())
    const e = await caught(() => list.admit(tx({ sender: ALICE }), ctx()))
    expect(e).toBeInstanceOf(NotSponsoredError)
    expect((e as NotSponsoredError).data).toEqual({ sender: ALICE, paymaster: PAYMASTER })
    const game = '0x0000000000000000000000000000000000006a3e'
    const pred = sponsored({ paymaster: PAYMASTER, quota, allow: (t) => t.accessSet?.writes.includes(game) ?? false })
    await pred.admit(tx({ accessSet: { reads: [], writes: [game] } }), ctx())
    expect(await caught(() => pred.upfront(tx(), ctx()))).toBeInstanceOf(NotSponsoredError)
    expect(
      await caught(() => pred.admit(tx({ accessSet: { reads: [], writes: [game] }, fee: { feeToken: game } }), ctx())),
    ).toBeInstanceOf(UnknownFeeTokenError)
  })

  it('keeps quota usage in the store under its namespace, one value per sender', async () => {
    const store = memoryGasStore()
    const m = sponsored({ paymaster: PAYMASTER, quota, namespace: 'game1' })
    await m.charge(tx(), 21_000n, { ...ctx({ blockNumber: 25n }), store })
    expect([...store.entries.keys()]).toEqual([`game1/${ALICE}`])
    // window 2 | 1 tx | mark 0 | 21,000 gas
    expect(store.entries.get(`game1/${ALICE}`)).toBe((2n << 192n) | (1n << 160n) | 21_000n)
  })

  it('refuses impossible configs at construction', () => {
    const bad: [unknown, string][] = [
      [{ paymaster: '0x12', quota }, 'paymaster'],
      [{ paymaster: PAYMASTER, quota: { windowBlocks: 0n } }, 'quota.windowBlocks'],
      [{ paymaster: PAYMASTER, quota: { ...quota, txPerWindow: -1n } }, 'quota.txPerWindow'],
      [{ paymaster: PAYMASTER, quota: { ...quota, gasPerWindow: -1n } }, 'quota.gasPerWindow'],
      [{ paymaster: PAYMASTER, quota, gasPrice: -1n }, 'gasPrice'],
      [{ paymaster: PAYMASTER, quota, allow: ['0xzz'] }, 'allow[0]'],
      [{ paymaster: PAYMASTER, quota, namespace: 'a/b' }, 'namespace'],
    ]
    for (const [config, field] of bad) {
      const e = (() => {
        try {
          sponsored(config as Parameters<typeof sponsored>[0])
        } catch (error) {
          return error
        }
      })()
      expect(e, field).toBeInstanceOf(GasModelConfigError)
      expect((e as GasModelConfigError).data?.field).toBe(field)
    }
    expect(() => sponsored({ paymaster: PAYMASTER } as Parameters<typeof sponsored>[0])).toThrow(TypeError)
  })
})
