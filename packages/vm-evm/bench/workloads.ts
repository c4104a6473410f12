// The three workloads: a genesis allocation and pre-signed raw transactions, shared by both sides.
import { createRequire } from 'node:module'
import { type Address, type GenesisAlloc, type Hex, hexToBytes, keccak256 } from '@appchain/core'
import {
  encodeAbiParameters,
  encodeFunctionData,
  parseAbi,
  serializeTransaction,
  type TransactionSerializableEIP1559,
  keccak256 as viemKeccak,
} from 'viem'
import { privateKeyToAddress } from 'viem/accounts'
import { compileBenchContracts } from './contracts.js'

const require = createRequire(import.meta.url)
const secp = require('secp256k1/bindings') as {
  ecdsaSign(msg: Uint8Array, key: Uint8Array): { signature: Uint8Array; recid: number }
}

export const CHAIN_ID = 4242n
export const BASE_FEE = 1_000_000_000n
const TOKEN0: Address = '0x00000000000000000000000000000000000a0000'
const TOKEN1: Address = '0x00000000000000000000000000000000000b0000'
const AMM: Address = '0x00000000000000000000000000000000000c0000'

export interface Workload {
  name: string
  genesis: GenesisAlloc
  raws: Uint8Array[]
}

interface Sender {
  key: Uint8Array
  address: Address
}

function senders(n: number, seed: number): Sender[] {
  return Array.from({ length: n }, (_, i) => {
    const hex = `0x${(seed * 1_000_000 + i + 1).toString(16).padStart(64, '0')}` as Hex
    return { key: hexToBytes(hex), address: privateKeyToAddress(hex).toLowerCase() as Address }
  })
}

function signTx(sender: Sender, tx: Omit<TransactionSerializableEIP1559, 'chainId' | 'type'>): Uint8Array {
  const unsigned: TransactionSerializableEIP1559 = { ...tx, type: 'eip1559', chainId: Number(CHAIN_ID) }
  const hash = hexToBytes(viemKeccak(serializeTransaction(unsigned)))
  const { signature, recid } = secp.ecdsaSign(hash, sender.key)
  const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}` as Hex
  return hexToBytes(
    serializeTransaction(unsigned, {
      r: hex(signature.subarray(0, 32)),
      s: hex(signature.subarray(32)),
      yParity: recid,
    }),
  )
}

const fees = { maxFeePerGas: 2n * BASE_FEE, maxPriorityFeePerGas: 1_000_000n }
const word = (v: bigint): Hex => `0x${v.toString(16).padStart(64, '0')}`
/** Storage slot of `mapping(address => ...)` at `slot` for `key` (Solidity layout). */
const mapSlot = (key: Hex, slot: bigint | Hex): Hex =>
  `0x${Buffer.from(keccak256(hexToBytes(encodeAbiParameters([{ type: 'bytes32' }, { type: 'bytes32' }], [`0x${key.slice(2).padStart(64, '0')}`, typeof slot === 'bigint' ? word(slot) : slot])))).toString('hex')}` as Hex

/** `count` ETH transfers from `count / 5` senders to fresh recipients. */
export function ethTransfers(count: number): Workload {
  const from = senders(Math.ceil(count / 5), 1)
  const genesis: GenesisAlloc = {}
  for (const s of from) genesis[s.address] = { balance: 10n ** 21n }
  const raws = Array.from({ length: count }, (_, i) => {
    const s = from[i % from.length]!
    const to = `0x${(0xd00000 + i).toString(16).padStart(40, '0')}` as Address
    return signTx(s, { to, value: 1000n + BigInt(i), nonce: Math.floor(i / from.length), gas: 21_000n, ...fees })
  })
  return { name: `${count / 1000}k ETH transfers`, genesis, raws }
}

const erc20 = parseAbi(['function transfer(address to, uint256 amount) returns (bool)'])
const ammAbi = parseAbi(['function swap(uint256 amountIn, bool zeroForOne, uint256 minOut) returns (uint256)'])

/** `count` OpenZeppelin ERC20 transfers from `count / 5` holders. */
export function erc20Transfers(count: number, code: { token: Hex }): Workload {
  const from = senders(Math.ceil(count / 5), 2)
  const storage: Record<Hex, Hex> = { [word(2n)]: word(10n ** 30n) }
  const genesis: GenesisAlloc = {}
  for (const s of from) {
    genesis[s.address] = { balance: 10n ** 21n }
    storage[mapSlot(s.address, 0n)] = word(10n ** 24n)
  }
  genesis[TOKEN0] = { code: code.token, storage }
  const raws = Array.from({ length: count }, (_, i) => {
    const s = from[i % from.length]!
    const to = `0x${(0xe00000 + i).toString(16).padStart(40, '0')}` as Address
    const data = encodeFunctionData({ abi: erc20, functionName: 'transfer', args: [to, 1000n + BigInt(i)] })
    return signTx(s, { to: TOKEN0, data, nonce: Math.floor(i / from.length), gas: 100_000n, ...fees })
  })
  return { name: `${count / 1000}k ERC-20 transfers`, genesis, raws }
}

/** `count` swaps on the constant-product AMM, alternating directions, from `count / 5` traders. */
export function ammSwaps(count: number, code: { token: Hex; amm: Hex }): Workload {
  const from = senders(Math.ceil(count / 5), 3)
  const genesis: GenesisAlloc = {}
  const t0: Record<Hex, Hex> = { [word(2n)]: word(10n ** 30n) }
  const t1: Record<Hex, Hex> = { [word(2n)]: word(10n ** 30n) }
  const reserve = 10n ** 27n
  t0[mapSlot(AMM, 0n)] = word(reserve)
  t1[mapSlot(AMM, 0n)] = word(reserve)
  for (const s of from) {
    genesis[s.address] = { balance: 10n ** 21n }
    for (const t of [t0, t1]) {
      t[mapSlot(s.address, 0n)] = word(10n ** 24n)
      // allowance[s][AMM] = max
      t[mapSlot(AMM, mapSlot(s.address, 1n))] = word(2n ** 256n - 1n)
    }
  }
  genesis[TOKEN0] = { code: code.token, storage: t0 }
  genesis[TOKEN1] = { code: code.token, storage: t1 }
  genesis[AMM] = { code: code.amm, storage: { [word(0n)]: word(reserve), [word(1n)]: word(reserve) } }
  const raws = Array.from({ length: count }, (_, i) => {
    const s = from[i % from.length]!
    const data = encodeFunctionData({
      abi: ammAbi,
      functionName: 'swap',
      args: [10n ** 18n + BigInt(i), i % 2 === 0, 1n],
    })
    return signTx(s, { to: AMM, data, nonce: Math.floor(i / from.length), gas: 200_000n, ...fees })
  })
  return { name: `${count / 1000}k AMM swaps`, genesis, raws }
}

export function benchContracts() {
  return compileBenchContracts(TOKEN0, TOKEN1)
}
