import { createRequire } from 'node:module'
import type { Address, BlockContext, GasModel, Hex, StateDb } from '@appchain/core'
import { bytesToHex, keccak256, memoryDb, ZERO_HASH } from '@appchain/core'
import { createStateDb } from '@appchain/state'
import type { Program } from '../src/program.js'
import {
  encodeTransaction,
  type MethodSchema,
  type ParallelTxRequest,
  signingDigest,
  type TxArgValue,
} from '../src/tx.js'

interface NativeSecp {
  ecdsaSign(msg: Uint8Array, sk: Uint8Array): { signature: Uint8Array; recid: number }
  publicKeyCreate(sk: Uint8Array, compressed: boolean): Uint8Array
}
const secp = createRequire(import.meta.url)('secp256k1/bindings') as NativeSecp

export const CHAIN_ID = 4242n

/** Block `number`'s context on the test chain, with `gas`'s genesis fees (coinbase 0x…c0, 30M gas). */
export function blockContext(gas: GasModel, number = 1n): BlockContext {
  return {
    chainId: CHAIN_ID,
    number,
    timestamp: 1_700_000_000n + number,
    coinbase: '0x00000000000000000000000000000000000000c0',
    gasLimit: 30_000_000n,
    fees: gas.genesisFees(),
    prevRandao: ZERO_HASH,
    parentHash: ZERO_HASH,
  }
}

export interface Key {
  privateKey: Uint8Array
  privateKeyHex: Hex
  address: Address
}

/** Deterministic test keys. */
export function keys(n: number, seed = 'key'): Key[] {
  return Array.from({ length: n }, (_, i) => {
    const privateKey = keccak256(new TextEncoder().encode(`${seed}:${i}`))
    const pub = secp.publicKeyCreate(privateKey, false)
    return {
      privateKey,
      privateKeyHex: bytesToHex(privateKey),
      address: bytesToHex(keccak256(pub.subarray(1)).subarray(12)) as Address,
    }
  })
}

/** Signs the EIP-712 digest with native libsecp256k1 (fast; viem's signTypedData gives the same bytes). */
export function sign(request: ParallelTxRequest, schema: MethodSchema, key: Key): Hex {
  const { signature, recid } = secp.ecdsaSign(signingDigest(request, schema), key.privateKey)
  const out = new Uint8Array(65)
  out.set(signature)
  out[64] = 27 + recid
  return bytesToHex(out)
}

export function schemaOf(program: Program, method: string): MethodSchema {
  const m = program.methods[method]
  if (!m) throw new Error(`no method ${method}`)
  return { program: program.id, method, args: m.args, gas: m.gas }
}

/** Builds and signs a call; accounts default to the method's `accounts` helper. */
export function call(
  program: Program,
  method: string,
  args: Record<string, TxArgValue>,
  key: Key,
  nonce: bigint,
  opts: {
    reads?: Address[]
    writes?: Address[]
    maxFeePerGas?: bigint
    maxPriorityFeePerGas?: bigint
    gasLimit?: bigint
  } = {},
): Uint8Array {
  const schema = schemaOf(program, method)
  const declared = program.methods[method]!.accounts?.(args, key.address) ?? { reads: [], writes: [] }
  const request: ParallelTxRequest = {
    chainId: CHAIN_ID,
    program: program.id,
    method,
    args,
    reads: opts.reads ?? declared.reads,
    writes: opts.writes ?? declared.writes,
    nonce,
    gasLimit: opts.gasLimit ?? 200_000n,
    maxFeePerGas: opts.maxFeePerGas ?? 10n,
    maxPriorityFeePerGas: opts.maxPriorityFeePerGas ?? 0n,
  }
  return encodeTransaction(request, schema, sign(request, schema, key))
}

export function memoryState(): StateDb {
  return createStateDb({ db: memoryDb() })
}
