import {
  type Address,
  BaseError,
  blockGasStore,
  stateGasStore as coreStateGasStore,
  type GasModel,
  type GasStore,
  gasStoreSlot,
  memoryDb,
  PREDEPLOYS,
  type TxEnvelope,
} from '@appchain/core'
import { memoryGasStore } from '@appchain/core/testing'
import { createStateDb } from '@appchain/state'
import { type EvmBlockContext, type EvmTx, evmVm } from '@appchain/vm-evm'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, describe, expect, it } from 'vitest'
import { eip1559 } from '../src/eip1559.js'
import { rateLimited } from '../src/rateLimited.js'
import { sponsored } from '../src/sponsored.js'
import { usageKey } from '../src/windowUsage.js'

// sponsored and rateLimited on the EVM VM's block store keep usage unpacked for the block and write it in
// observeBlock. Here the real VM runs blocks (batches as the sequencer adds them, transactions excluded at upfront
// and after it, a discarded block, window edges), and the same model code on a plain store (which writes at every
// charge) replays what the VM did: every stored word, fee and refusal must match, and admission on the VM's state
// must answer as admission on the plain store.

const CHAIN_ID = 4242n
const PAYMASTER: Address = '0x00000000000000000000000000000000000000aa'
const COINBASE: Address = '0x00000000000000000000000000000000000000c0'
const gwei = 1_000_000_000n
const accounts = Array.from({ length: 4 }, (_, i) =>
  privateKeyToAccount(`0x${(i + 11).toString(16).padStart(64, '0')}`),
)
// A sender with nothing: its value transfer passes upfront (the paymaster or the free tier pays the gas) and is
// excluded after it, by the funds check.
const broke = privateKeyToAccount(`0x${(99).toString(16).padStart(64, '0')}`)
const lower = (a: string) => a.toLowerCase() as Address

const cases: [string, string, () => GasModel][] = [
  [
    'sponsored',
    'sp',
    () =>
      sponsored({
        paymaster: PAYMASTER,
        quota: { txPerWindow: 3n, gasPerWindow: 70_000n, windowBlocks: 2n },
        gasPrice: 2n * gwei,
      }),
  ],
  // biome-ignore lint/suspicious/noThenProperty: the config field is named `then` (issue 5)
  ['rateLimited', 'rl', () => rateLimited({ freeTxPerWindow: 2n, windowBlocks: 2n, then: eip1559() })],
]

const show = (v: unknown): string => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x)) ?? 'undefined'
const errorOf = (e: unknown) => `${(e as Error).name}: ${show((e as { data?: unknown }).data)}`

describe('sponsored and rateLimited on the EVM VM: stored words, fees and refusals as per-charge writes leave them', () => {
  const vm = evmVm({ recovery: { workers: 0 } })
  afterAll(() => vm.close())

  it.each(cases)('%s', async (_name, namespace, create) => {
    const state = createStateDb({ db: memoryDb() })
    await vm.genesis(
      {
        ...Object.fromEntries(accounts.map((a) => [lower(a.address), { balance: 10n ** 20n }])),
        [PAYMASTER]: { balance: 10n ** 24n },
      },
      state,
    )
    const model = create()
    const reference = create()
    const plain = memoryGasStore()
    const nonces = new Map<string, number>()
    let fees = model.genesisFees()
    const sign = async (a: (typeof accounts)[number], nonce: number, value = 1n) =>
      Buffer.from(
        (
          await a.signTransaction({
            type: 'eip1559',
            chainId: Number(CHAIN_ID),
            nonce,
            to: '0x000000000000000000000000000000000000beef',
            value,
            gas: 30_000n,
            maxFeePerGas: 10n * gwei,
            maxPriorityFeePerGas: gwei,
          })
        ).slice(2),
        'hex',
      )
    const decode = async (raws: Uint8Array[]) =>
      (await vm.decodeTxs(raws, { chainId: CHAIN_ID })).map((t) => {
        if (t instanceof BaseError) throw t
        return t as EvmTx
      })
    const blockTxs = async (n: number) => {
      // Sender i sends i + 1 transactions (past the quota or the free tier for the later ones), round robin over
      // the senders from a different one each block (each sender's in nonce order); the broke one one.
      const perSender = accounts.map((_, i) => i + 1)
      const raws: Uint8Array[] = []
      // From the chain's nonces: a refused transaction's nonce is sent again.
      for (const a of accounts) nonces.set(a.address, Number((await state.getAccount(lower(a.address)))?.nonce ?? 0n))
      for (let k = 0; k < accounts.length; k++)
        for (let j = 0; j < accounts.length; j++) {
          const i = (j + n) % accounts.length
          if (k >= perSender[i]!) continue
          const a = accounts[i]!
          const nonce = nonces.get(a.address) ?? 0
          raws.push(await sign(a, nonce))
          nonces.set(a.address, nonce + 1)
          if (k === 0 && j === 1) raws.push(await sign(broke, 0))
        }
      return decode(raws)
    }
    const ctxOf = (number: bigint): EvmBlockContext => ({
      chainId: CHAIN_ID,
      number,
      timestamp: 1_700_000_000n + number,
      coinbase: COINBASE,
      gasLimit: 30_000_000n,
      fees,
      prevRandao: `0x${'00'.repeat(32)}`,
      parentHash: `0x${'00'.repeat(32)}`,
    })
    // Replays the VM's block with the reference model on the plain store, checking each answer against the VM's.
    const replay = async (number: bigint, txs: EvmTx[], out: unknown[]) => {
      const store: GasStore = { get: (k) => plain.get(k), set: (k, v) => plain.set(k, v) }
      const ctx = { blockNumber: number, coinbase: COINBASE, fees, balanceOf: async () => 10n ** 24n, store }
      const included: TxEnvelope[] = []
      for (let i = 0; i < txs.length; i++) {
        const t = txs[i]!
        const r = out[i]
        // Excluded before upfront (a nonce after one refused in this block): the VM never asked the model.
        if (r instanceof BaseError && /^Nonce/.test(r.name)) continue
        let up: Awaited<ReturnType<GasModel['upfront']>>
        try {
          up = await reference.upfront(t, ctx)
        } catch (e) {
          // Refused at upfront by the model: the VM excluded it with the same error.
          expect(r).toBeInstanceOf(BaseError)
          expect(errorOf(r)).toBe(errorOf(e))
          continue
        }
        if (r instanceof BaseError) {
          // Excluded after upfront (the funds check): the model gives the hold back.
          expect(t.sender).toBe(lower(broke.address))
          reference.release?.(t, ctx)
          continue
        }
        const receipt = r as { gasUsed: bigint; effectiveGasPrice: bigint; feePayer?: Address }
        const c = await reference.charge(t, receipt.gasUsed, ctx)
        expect(receipt.effectiveGasPrice).toBe(c.effectiveGasPrice)
        expect(receipt.feePayer ?? t.sender).toBe(c.payer)
        expect(up.payer).toBe(c.payer)
        included.push(t)
      }
      await reference.observeBlock?.({ blockNumber: number, txs: included, store })
    }
    const words = async () => {
      const senders = [...accounts, broke].map((a) => lower(a.address))
      const onChain = await Promise.all(
        senders.map(async (s) =>
          BigInt(await state.getStorage(PREDEPLOYS.gasStore, gasStoreSlot(usageKey(namespace, s)))),
        ),
      )
      return show(senders.map((s, i) => [s, onChain[i]]))
    }
    const expected = () =>
      show(
        [...accounts, broke].map((a) => [
          lower(a.address),
          plain.entries.get(usageKey(namespace, lower(a.address))) ?? 0n,
        ]),
      )

    let refused = 0
    for (let n = 1n; n <= 5n; n++) {
      const txs = await blockTxs(Number(n))
      if (n === 3n) {
        // A block the sequencer discards (its checkpoint reverted): nothing of it stays.
        const before = await words()
        state.checkpoint()
        const discarded = await vm.openBlock!({ ctx: ctxOf(n), deposits: [], state, gas: model })
        await discarded.add(txs)
        discarded.abort?.()
        state.revert()
        expect(await words()).toBe(before)
      }
      const builder = await vm.openBlock!({ ctx: ctxOf(n), deposits: [], state, gas: model })
      // In batches, as the sequencer adds them.
      const out = [...(await builder.add(txs.slice(0, 4))), ...(await builder.add(txs.slice(4)))]
      const execution = await builder.finish()
      refused += out.filter((r) => r instanceof BaseError).length
      await replay(n, txs, out)
      expect(await words()).toBe(expected())
      expect(execution.stateRoot).toBe(await state.root())
      // Admission for the next block, on the chain's state as the sequencer reads it, against the plain store.
      const admission = blockGasStore(coreStateGasStore(state))
      const probes = await decode(await Promise.all(accounts.map((a) => sign(a, nonces.get(a.address) ?? 0))))
      const admit = async (m: GasModel, store: GasStore, t: TxEnvelope) => {
        const ctx = { chainId: CHAIN_ID, blockNumber: n + 1n, fees, balanceOf: async () => 10n ** 24n, store }
        try {
          if (!m.admitSync?.(t, ctx)) await m.admit(t, ctx)
          return 'admitted'
        } catch (e) {
          return errorOf(e)
        }
      }
      await model.prefetch?.(probes, { blockNumber: n + 1n, store: admission })
      for (const t of probes) expect(await admit(model, admission, t)).toBe(await admit(reference, plain, t))
      fees = model.nextBlockFees({
        number: n,
        gasLimit: 30_000_000n,
        gasUsed: execution.gasUsed,
        baseFeePerGas: fees.baseFeePerGas,
      })
    }
    // The broke sender's transaction in each block, and (sponsored) some over the quota.
    expect(refused).toBeGreaterThanOrEqual(5)
  })
})
