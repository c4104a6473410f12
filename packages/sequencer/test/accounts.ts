import type { Address, GenesisAlloc, Hex } from '@appchain/core'
import { hexToBytes } from '@appchain/core'
import { type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts'

/** Deterministic test keys (not the public test mnemonic: these accounts exist only here). */
export function testAccounts(n: number): PrivateKeyAccount[] {
  return Array.from({ length: n }, (_, i) => privateKeyToAccount(`0x${(i + 1).toString(16).padStart(64, '0')}` as Hex))
}

export function fundedGenesis(accounts: { address: Address }[], balance = 10n ** 24n): GenesisAlloc {
  return Object.fromEntries(accounts.map((a) => [a.address.toLowerCase(), { balance }]))
}

/** A signed EIP-1559 ETH transfer. */
export async function transfer(
  from: PrivateKeyAccount,
  opts: { nonce: number; chainId: number; to?: Address; value?: bigint; tip?: bigint; maxFee?: bigint; gas?: bigint },
): Promise<Uint8Array> {
  const signed = await from.signTransaction({
    type: 'eip1559',
    chainId: opts.chainId,
    nonce: opts.nonce,
    to: opts.to ?? '0x000000000000000000000000000000000000dEaD',
    value: opts.value ?? 1n,
    gas: opts.gas ?? 21_000n,
    maxFeePerGas: opts.maxFee ?? 10_000_000_000n,
    maxPriorityFeePerGas: opts.tip ?? 1_000_000_000n,
  })
  return hexToBytes(signed)
}
