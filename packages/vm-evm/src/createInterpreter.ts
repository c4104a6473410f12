import { loadNativeSecp256k1 } from '@appchain/core'
import { keccak256, keccakReady } from '@appchain/state'
import type { StateManagerInterface } from '@ethereumjs/common'
import { createCustomCommon, Mainnet } from '@ethereumjs/common'
import { createEVM, type EVM } from '@ethereumjs/evm'
import { useFastArith } from './fastArith.js'
import { type StorageWordReader, useFastOpcodes } from './fastOpcodes.js'
import { useFastRunLoop } from './fastRunLoop.js'
import type { Hardfork } from './hardfork.js'
import { pointEvaluationKzg } from './kzg.js'
import { useLightRunInterpreter } from './lightRunInterpreter.js'
import type { StorageWords } from './syncSstore.js'

/** Where BLOCKHASH looks: the current block context's ancestor hashes. */
export interface BlockHashSource {
  getBlockHash(number: bigint): Uint8Array | undefined
}

/**
 * An `@ethereumjs/evm` interpreter for `hardfork` on `stateManager` (our `StateAdapter`), with the KZG
 * point-evaluation precompile and ECRECOVER on native libsecp256k1 where it loads.
 */
export async function createInterpreter(args: {
  chainId: bigint
  hardfork: Hardfork
  stateManager: StateManagerInterface
  blockHashes: BlockHashSource
}): Promise<EVM> {
  const kzg = pointEvaluationKzg()
  const native = loadNativeSecp256k1()
  // KECCAK256 on the WebAssembly keccak once it is instantiated (same output as the default).
  await keccakReady()
  const customCrypto: Record<string, unknown> = { kzg, keccak256 }
  if (native) {
    const sig = new Uint8Array(64)
    customCrypto.ecrecover = (msgHash: Uint8Array, v: bigint, r: Uint8Array, s: Uint8Array) => {
      sig.set(r, 0)
      sig.set(s, 32)
      return native.ecdsaRecover(sig, Number(v - 27n), msgHash, false).slice(1)
    }
  }
  const common = createCustomCommon({ chainId: Number(args.chainId) }, Mainnet, {
    hardfork: args.hardfork,
    customCrypto,
  })
  const zero = new Uint8Array(32)
  const blockchain = {
    async getBlock(n: number) {
      const h = args.blockHashes.getBlockHash(BigInt(n)) ?? zero
      return { hash: () => h }
    },
    async putBlock() {},
    shallowCopy() {
      return blockchain
    },
  }
  const evm = await createEVM({ common, stateManager: args.stateManager, blockchain })
  // The address derivation runs right before a CREATE reads its target account: tell the adapter which
  // account needs its storage root for the EIP-7610 collision check.
  const hooked = evm as unknown as { _generateAddress(m: unknown): Promise<{ toString(): string }> }
  const generate = hooked._generateAddress.bind(evm)
  const adapter = args.stateManager as { createTarget?: string | undefined }
  hooked._generateAddress = async (m) => {
    const a = await generate(m)
    adapter.createTarget = a.toString()
    return a
  }
  // Common answers isActivatedEIP with Array.includes on every opcode; the hardfork never changes here.
  const c = common as unknown as { _activatedEIPsCache: number[]; isActivatedEIP(eip: number): boolean }
  const eips = new Set(c._activatedEIPsCache)
  c.isActivatedEIP = (eip: number) => eips.has(eip)
  const proto = await interpreterPrototype(evm)
  const words = args.stateManager as Partial<StorageWordReader & StorageWords>
  const isWords = typeof words.getStorageWord === 'function' && typeof words.getOriginalStorageWord === 'function'
  if (proto) {
    cacheJumpAnalysis(proto, evm)
    useFastRunLoop(evm, proto, isWords ? (words as StorageWords) : undefined)
    useLightRunInterpreter(evm, proto.constructor as new (...args: never[]) => unknown)
  }
  useFastOpcodes(evm, isWords ? (words as StorageWordReader) : undefined)
  useFastArith(evm)
  return evm
}

type JumpAnalysis = unknown
const patched = new WeakSet<object>()
const analyses = new WeakMap<object, WeakMap<Uint8Array, JumpAnalysis>>()

/**
 * The prototype of `@ethereumjs/evm`'s Interpreter class, which is not exported: it is reached through the
 * run state of one trivial execution.
 */
async function interpreterPrototype(evm: EVM): Promise<object | undefined> {
  const res = (await evm.runCode({ code: new Uint8Array([0x00]), gasLimit: 100n })) as unknown as {
    runState?: { interpreter?: object }
  }
  return res.runState?.interpreter && Object.getPrototypeOf(res.runState.interpreter)
}

/**
 * The interpreter redoes jump-destination analysis of a contract's code on every call. Code objects come
 * from the adapter's content-addressed cache, so the analysis is cached per interpreter (opcode tables
 * differ by hardfork) and per code object. Only for the EVMs created here: the prototype is shared with
 * every other EVM in the process (e.g. `@ethereumjs/vm`'s), which keep the stock behaviour.
 */
function cacheJumpAnalysis(proto: object, evm: EVM): void {
  analyses.set(evm, new WeakMap())
  if (patched.has(proto)) return
  patched.add(proto)
  const p = proto as { _getValidJumpDestinations(this: { _evm: object }, code: Uint8Array): JumpAnalysis }
  const original = p._getValidJumpDestinations as (code: Uint8Array) => JumpAnalysis
  p._getValidJumpDestinations = function (this: { _evm: object }, code: Uint8Array) {
    const perEvm = analyses.get(this._evm)
    if (!perEvm) return original.call(this, code)
    let a = perEvm.get(code)
    if (a === undefined) {
      a = original.call(this, code)
      perEvm.set(code, a)
    }
    return a
  }
}
