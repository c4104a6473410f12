import type { Address, GenesisAlloc, Hex } from '@appchain/core'
import { bytesToHex } from '@appchain/core'
import { mnemonicToAccount } from 'viem/accounts'

/** The standard test mnemonic of Hardhat, Foundry and Ganache. */
export const TEST_MNEMONIC = 'test test test test test test test test test test test junk'

/** 10,000 ETH in wei. */
export const DEV_BALANCE = 10_000n * 10n ** 18n

/** A funded development account. */
export interface DevAccount {
  address: Address
  privateKey: Hex
}

/**
 * The first `count` accounts of a mnemonic (BIP-44 path m/44'/60'/0'/0/i), with private keys: the same
 * accounts anvil and Hardhat fund, so existing scripts work unchanged.
 *
 * @example
 * ```ts
 * const [first] = devAccounts() // 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266
 * ```
 */
export function devAccounts(count = 10, mnemonic = TEST_MNEMONIC): DevAccount[] {
  return Array.from({ length: count }, (_, i) => {
    const account = mnemonicToAccount(mnemonic, { addressIndex: i })
    const key = account.getHdKey().privateKey
    if (!key) throw new TypeError(`No private key derived for account ${i}`)
    return { address: account.address, privateKey: bytesToHex(key) }
  })
}

/**
 * A genesis allocation giving every account the same balance.
 *
 * @example
 * ```ts
 * const alloc = fundAccounts(devAccounts().map((a) => a.address)) // 10,000 ETH each
 * ```
 */
export function fundAccounts(addresses: readonly Address[], balance = DEV_BALANCE): GenesisAlloc {
  const alloc: GenesisAlloc = {}
  for (const a of addresses) alloc[a.toLowerCase() as Address] = { balance }
  return alloc
}
