import type { Address, ChargeContext, FeeBid, GasStore, Hex, TxEnvelope } from '@appchain/core'
import { memoryGasStore } from '@appchain/core/testing'

export const ALICE: Address = '0x00000000000000000000000000000000000a11ce'
export const BOB: Address = '0x0000000000000000000000000000000000000b0b'
export const COINBASE: Address = '0x00000000000000000000000000000000000000c0'
export const PAYMASTER: Address = '0x00000000000000000000000000000000000000aa'
export const VAULT: Address = '0x4200000000000000000000000000000000000019'

let counter = 0

/** A transaction envelope with the fields gas models read; `raw` is `size` bytes unless given. */
export function tx(over: Partial<Omit<TxEnvelope, 'fee'>> & { fee?: Partial<FeeBid> } = {}): TxEnvelope {
  counter++
  const size = over.size ?? over.raw?.length ?? 110
  const { fee, ...rest } = over
  return {
    hash: `0x${counter.toString(16).padStart(64, '0')}` as Hex,
    raw: over.raw ?? new Uint8Array(size).fill(7),
    sender: ALICE,
    nonce: 0n,
    gasLimit: 21_000n,
    size,
    ...rest,
    fee: { maxFeePerGas: 2_000_000_000n, maxPriorityFeePerGas: 1_000_000_000n, ...fee },
  }
}

/** A charge/admission context for block `blockNumber` with fixed balances (default: rich). */
export function ctx(
  over: Partial<ChargeContext> & { chainId?: bigint; balances?: Record<Address, bigint> } = {},
): ChargeContext & { chainId: bigint; store: GasStore } {
  const { balances, ...rest } = over
  return {
    chainId: 1n,
    blockNumber: 1n,
    coinbase: COINBASE,
    fees: { baseFeePerGas: 1_000_000_000n },
    balanceOf: async (a) => balances?.[a] ?? 10n ** 30n,
    store: memoryGasStore(),
    ...rest,
  }
}

/** Runs a thrown-error check and returns the error, for asserting its class and values. */
export async function caught(fn: () => unknown): Promise<unknown> {
  try {
    await fn()
  } catch (e) {
    return e
  }
  throw new Error('expected an error')
}
