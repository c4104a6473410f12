import type { Hex } from './types.js'

/** keccak256 of the empty string: the code hash of accounts without code. */
export const KECCAK_EMPTY: Hex = '0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470'
/** Root of the empty Merkle Patricia Trie: keccak256(rlp('')). */
export const EMPTY_TRIE_ROOT: Hex = '0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421'
export const ZERO_HASH: Hex = '0x0000000000000000000000000000000000000000000000000000000000000000'
export const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000' as const

/**
 * Reserved predeploy addresses, shared by all VMs so the bridge and clients find them anywhere.
 * `l2ToL1MessagePasser` records withdrawals (OP Stack's address); `gasStore` holds gas-model windows.
 */
export const PREDEPLOYS = {
  l2ToL1MessagePasser: '0x4200000000000000000000000000000000000016',
  feeVault: '0x4200000000000000000000000000000000000019',
  gasStore: '0x42000000000000000000000000000000000000ff',
} as const
