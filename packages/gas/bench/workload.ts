import type { Address, ChargeContext, GasModel, GasStore } from '@appchain/core'
import type { EvmTx } from '@appchain/vm-evm'
import { privateKeyToAccount } from 'viem/accounts'
import { eip1559 } from '../src/eip1559.js'
import { flatFee } from '../src/flatFee.js'
import { localFeeMarkets } from '../src/localFeeMarkets.js'
import { rateLimited } from '../src/rateLimited.js'
import { sponsored } from '../src/sponsored.js'
import { withL1DataFee } from '../src/withL1DataFee.js'

// The gas benches' block (bench/index.ts and bench/profile.ts): N signed EIP-1559 transfers from N/10 senders
// to 64 recipients (so localFeeMarkets sees hot accounts), the genesis that funds them, and the six models.
export const chainId = 4242
export const gwei = 1_000_000_000n
export const PAYMASTER: Address = '0x00000000000000000000000000000000000000aa'
export const COINBASE: Address = '0x00000000000000000000000000000000000000c0'

export async function signedTransfers(n: number): Promise<{
  senders: number
  raws: Uint8Array[]
  alloc: Record<Address, { balance: bigint }>
}> {
  const senders = Math.max(1, Math.floor(n / 10))
  const accounts = Array.from({ length: senders }, (_, i) =>
    privateKeyToAccount(`0x${(i + 1).toString(16).padStart(64, '0')}`),
  )
  const recipients = Array.from(
    { length: 64 },
    (_, i) => `0x${(0xbeef00 + i).toString(16).padStart(40, '0')}` as Address,
  )
  const raws: Uint8Array[] = []
  for (let i = 0; i < n; i++) {
    const account = accounts[i % senders]!
    const signed = await account.signTransaction({
      type: 'eip1559',
      chainId,
      nonce: Math.floor(i / senders),
      to: recipients[i % recipients.length]!,
      value: 1n,
      gas: 21_000n,
      maxFeePerGas: 10n * gwei,
      maxPriorityFeePerGas: gwei,
    })
    raws.push(Buffer.from(signed.slice(2), 'hex'))
  }
  const alloc = Object.fromEntries([
    ...accounts.map((a) => [a.address.toLowerCase(), { balance: 10n ** 21n }]),
    [PAYMASTER, { balance: 10n ** 24n }],
  ]) as Record<Address, { balance: bigint }>
  return { senders, raws, alloc }
}

/** The six models as the benches configure them, by the name the tables print. */
export const benchModels: [string, () => GasModel][] = [
  ['eip1559', () => eip1559()],
  ['flatFee', () => flatFee({ perTx: 100_000n * gwei, perByte: 10n * gwei })],
  [
    'sponsored',
    () =>
      sponsored({ paymaster: PAYMASTER, quota: { txPerWindow: 100n, gasPerWindow: 10_000_000n, windowBlocks: 100n } }),
  ],
  // biome-ignore lint/suspicious/noThenProperty: the config field is named `then` (issue 5)
  ['rateLimited(eip1559)', () => rateLimited({ freeTxPerWindow: 5n, windowBlocks: 100n, then: eip1559() })],
  ['localFeeMarkets(eip1559)', () => localFeeMarkets({ base: eip1559(), hotThreshold: 8 })],
  ['withL1DataFee(eip1559)', () => withL1DataFee(eip1559(), { pricePerByte: 1_000n })],
]

/**
 * A fresh copy of a decoded transaction (its own object and raw bytes, the same access set), built as the EVM VM
 * builds its transactions (one object literal with every field, in the same order), so a model's per-transaction
 * work meets objects like a node's. Not a spread: V8 gives the copy of a spread a hidden class on which a property
 * a model adds costs a new map per object (about 1 µs here), where on the VM's objects it costs a shared transition
 * (about 50 ns); a bench on spread copies measured another cost than a node pays.
 */
export function nodeShapedCopy(t: EvmTx): EvmTx {
  return {
    hash: t.hash,
    raw: t.raw.slice(),
    nonce: t.nonce,
    gasLimit: t.gasLimit,
    fee: t.fee,
    accessSet: { reads: [], writes: [...t.accessSet!.writes] },
    size: t.size,
    type: t.type,
    chainId: t.chainId,
    to: t.to,
    value: t.value,
    data: t.data,
    accessList: t.accessList,
    authorizationList: t.authorizationList,
    signature: t.signature,
    sender: t.sender,
  }
}

/**
 * A block's `ChargeContext` as the EVM VM's block executor builds it: the block's store, and a balance read once
 * cached for the block (`peekBalance`). The executor keeps that cache current as its transfers change balances;
 * nothing in the benches changes one.
 */
export function blockChargeContext(ctx: Omit<ChargeContext, 'store' | 'peekBalance'>, store: GasStore): ChargeContext {
  const balances = new Map<Address, bigint>()
  return {
    ...ctx,
    store,
    balanceOf: async (a) => {
      const b = await ctx.balanceOf(a)
      balances.set(a, b)
      return b
    },
    peekBalance: (a) => balances.get(a),
  }
}
