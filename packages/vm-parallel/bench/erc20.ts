import type { Address, GenesisAlloc, Hex } from '@appchain/core'
import { bytesToHex, hexToBytes, keccak256 } from '@appchain/core'
import solc from 'solc'
import { encodeFunctionData, serializeTransaction } from 'viem'
import { type BenchKey, secp, type Transfer } from './workloads.js'

const SOURCE = `
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
contract Token {
  mapping(address => uint256) public balanceOf;
  event Transfer(address indexed from, address indexed to, uint256 value);
  function transfer(address to, uint256 value) external returns (bool) {
    uint256 have = balanceOf[msg.sender];
    require(have >= value, "insufficient balance");
    unchecked { balanceOf[msg.sender] = have - value; }
    balanceOf[to] += value;
    emit Transfer(msg.sender, to, value);
    return true;
  }
}`

export const TOKEN_ADDRESS: Address = '0x00000000000000000000000000000000000e2c20'
const transferAbi = [
  {
    type: 'function',
    name: 'transfer',
    stateMutability: 'nonpayable',
    inputs: [
      { name: 'to', type: 'address' },
      { name: 'value', type: 'uint256' },
    ],
    outputs: [{ type: 'bool' }],
  },
] as const

/** The minimal ERC-20 above, compiled with solc (optimizer on), as runtime code. */
export function compileToken(): Hex {
  const input = {
    language: 'Solidity',
    sources: { 'Token.sol': { content: SOURCE } },
    settings: {
      evmVersion: 'cancun',
      optimizer: { enabled: true, runs: 200 },
      outputSelection: { '*': { '*': ['evm.deployedBytecode.object'] } },
    },
  }
  const out = JSON.parse(solc.compile(JSON.stringify(input)))
  const errors = (out.errors ?? []).filter((e: { severity: string }) => e.severity === 'error')
  if (errors.length) throw new Error(errors.map((e: { formattedMessage: string }) => e.formattedMessage).join('\n'))
  return `0x${out.contracts['Token.sol'].Token.evm.deployedBytecode.object}`
}

/** `balanceOf[holder]` lives at keccak(holder . 0). */
function balanceSlot(holder: Address): Hex {
  const key = new Uint8Array(64)
  key.set(hexToBytes(holder), 12)
  return bytesToHex(keccak256(key))
}

export function erc20Genesis(code: Hex, transfers: Transfer[]): GenesisAlloc {
  const alloc: GenesisAlloc = {}
  const storage: Record<Hex, Hex> = {}
  for (const t of transfers) {
    alloc[t.from.address] = { balance: 10n ** 24n }
    storage[balanceSlot(t.from.address)] = `0x${(10n ** 24n).toString(16).padStart(64, '0')}`
  }
  alloc[TOKEN_ADDRESS] = { code, storage }
  return alloc
}

/** The same transfers as EIP-1559 `transfer(to, 1)` calls, signed with native libsecp256k1. */
export function signErc20Transfers(transfers: Transfer[], chainId: number): Uint8Array[] {
  return transfers.map((t) => {
    const tx = {
      type: 'eip1559' as const,
      chainId,
      nonce: Number(t.nonce),
      to: TOKEN_ADDRESS,
      data: encodeFunctionData({ abi: transferAbi, functionName: 'transfer', args: [t.to, 1n] }),
      gas: 100_000n,
      maxFeePerGas: 10n,
      maxPriorityFeePerGas: 0n,
      value: 0n,
    }
    const digest = keccak256(hexToBytes(serializeTransaction(tx)))
    const { signature, recid } = sign(digest, t.from)
    const signed = serializeTransaction(tx, {
      r: bytesToHex(signature.subarray(0, 32)),
      s: bytesToHex(signature.subarray(32, 64)),
      yParity: recid,
    })
    return hexToBytes(signed)
  })
}

function sign(digest: Uint8Array, key: BenchKey) {
  return secp.ecdsaSign(digest, key.privateKey)
}
