// Shared by this package's tests and bench: keys, a funded genesis, a block context, viem signing.
import type { Address, Hex } from '@appchain/core'
import { hexToBytes } from '@appchain/core'
import type { TransactionSerializable } from 'viem'
import { type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts'
import type { EvmBlockContext } from './blockContext.js'

export const CHAIN_ID = 4242n

/** Deterministic test keys (never real funds). */
export function testAccounts(n: number): PrivateKeyAccount[] {
  return Array.from({ length: n }, (_, i) => privateKeyToAccount(`0x${(i + 1).toString(16).padStart(64, '0')}` as Hex))
}

export function lower(a: Address): Address {
  return a.toLowerCase() as Address
}

export function blockCtx(over: Partial<EvmBlockContext> = {}): EvmBlockContext {
  return {
    chainId: CHAIN_ID,
    number: 1n,
    timestamp: 1_700_000_001n,
    coinbase: '0x00000000000000000000000000000000000c0ffe',
    gasLimit: 30_000_000n,
    fees: { baseFeePerGas: 1_000_000_000n },
    prevRandao: `0x${'00'.repeat(32)}`,
    parentHash: `0x${'00'.repeat(32)}`,
    ...over,
  }
}

export async function sign(account: PrivateKeyAccount, tx: Record<string, unknown>): Promise<Uint8Array> {
  return hexToBytes(
    await account.signTransaction({ chainId: Number(CHAIN_ID), ...tx } as unknown as TransactionSerializable),
  )
}
