import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { eip1559 } from '@appchain/gas'
import { priorityFee } from '@appchain/sequencer'
import { evmVm } from '@appchain/vm-evm'
import solc from 'solc'
import type { Chain, Hex } from 'viem'
import { defineChain } from 'viem'
import { createNode, devAccounts, fundAccounts, type NodeConfig } from '../src/index.js'

export const CHAIN_ID = 4242
export const accounts = devAccounts(10)

export const chain = (url: string, wsUrl?: string): Chain =>
  defineChain({
    id: CHAIN_ID,
    name: 'appchain-test',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [url], ...(wsUrl ? { webSocket: [wsUrl] } : {}) } },
  })

export function tempDir(parent = tmpdir()): { path: string; remove(): void } {
  const path = mkdtempSync(join(parent, '.tmp-appchain-node-'))
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) }
}

/** A node as `appchain dev` would start it, on port 0, with the dev accounts funded. */
export function startNode(overrides: Partial<NodeConfig> = {}) {
  return createNode({
    chainId: CHAIN_ID,
    vm: evmVm(),
    gas: eip1559(),
    sequencer: { blockTimeMs: 50, ordering: priorityFee(), preconf: { privateKey: accounts[0]!.privateKey } },
    db: { inMemory: true },
    rpc: { port: 0, enable: ['admin'] },
    genesis: { alloc: fundAccounts(accounts.map((a) => a.address)) },
    logger: { level: 'silent' },
    processMetrics: false,
    ...overrides,
  })
}

export const TOKEN_SOURCE = `
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
contract Token {
  string public name = "Test Token";
  mapping(address => uint256) public balanceOf;
  event Transfer(address indexed from, address indexed to, uint256 value);
  error Nope(uint256 code);
  constructor(uint256 supply) {
    balanceOf[msg.sender] = supply;
    emit Transfer(address(0), msg.sender, supply);
  }
  function transfer(address to, uint256 value) external returns (bool) {
    require(balanceOf[msg.sender] >= value, "insufficient balance");
    balanceOf[msg.sender] -= value;
    balanceOf[to] += value;
    emit Transfer(msg.sender, to, value);
    return true;
  }
  function nope() external pure { revert Nope(7); }
}
`

/** Compiles the test token with solc (the real compiler, solc-js). */
export function compileToken(): { abi: unknown[]; bytecode: Hex } {
  const input = {
    language: 'Solidity',
    sources: { 'Token.sol': { content: TOKEN_SOURCE } },
    settings: {
      evmVersion: 'cancun',
      optimizer: { enabled: true, runs: 200 },
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
    },
  }
  const out = JSON.parse(solc.compile(JSON.stringify(input)))
  const errors = (out.errors ?? []).filter((e: { severity: string }) => e.severity === 'error')
  if (errors.length) throw new Error(errors.map((e: { formattedMessage: string }) => e.formattedMessage).join('\n'))
  const c = out.contracts['Token.sol'].Token
  return { abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` }
}
