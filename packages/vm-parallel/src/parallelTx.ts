import type { AccessSet, TxEnvelope } from '@appchain/core'
import { BaseError, bytesToHex, InvalidSignatureError } from '@appchain/core'
import { keccak256 } from '@appchain/state'
import { recoverSigner } from './recover.js'
import type { Registry } from './registry.js'
import { decodeTransaction, signingDigest, type TxArgValue } from './tx.js'

/** A decoded, signature-checked parallel VM transaction. */
export interface ParallelTx extends TxEnvelope {
  chainId: bigint
  program: string
  method: string
  args: Record<string, TxArgValue>
  /** Arguments as the sandbox receives them. */
  argsJson: string
  accessSet: AccessSet
  /** Static gas of the call (what it is charged, success or not). */
  intrinsicGas: bigint
}

/** A decoded transaction without its raw bytes, as it crosses back from a worker. */
export type DecodedTx = Omit<ParallelTx, 'raw'>

export interface DecodeOptions {
  chainId: bigint
  maxSize?: number | undefined
}

/**
 * Decodes one raw transaction and recovers its sender: the whole stateless path.
 *
 * @example
 * ```ts
 * const tx = decodeParallelTx(raw, registry, { chainId: 4242n })
 * ```
 */
export function decodeParallelTx(raw: Uint8Array, registry: Registry, opts: DecodeOptions): DecodedTx {
  const f = decodeTransaction(raw, { chainId: opts.chainId, schemaOf: registry.schemaOf, maxSize: opts.maxSize })
  const sender = recoverSigner(signingDigest(f, f.schema), f.signature)
  return {
    hash: bytesToHex(keccak256(raw)),
    sender,
    nonce: f.nonce,
    gasLimit: f.gasLimit,
    fee: { maxFeePerGas: f.maxFeePerGas, maxPriorityFeePerGas: f.maxPriorityFeePerGas },
    accessSet: { reads: f.reads, writes: f.writes },
    size: raw.length,
    chainId: f.chainId,
    program: f.program,
    method: f.method,
    args: f.args,
    argsJson: f.argsJson,
    intrinsicGas: f.intrinsicGas,
  }
}

/** Outcome of decoding one item on a worker: the transaction, or enough to rebuild the typed error. */
export type DecodeItem = { ok: true; tx: DecodedTx } | { ok: false; name: string; message: string }

export function decodeItems(raws: Uint8Array[], registry: Registry, opts: DecodeOptions): DecodeItem[] {
  return raws.map((raw) => {
    try {
      return { ok: true, tx: decodeParallelTx(raw, registry, opts) }
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e))
      return { ok: false, name: err.name, message: err instanceof BaseError ? err.shortMessage : err.message }
    }
  })
}

/**
 * Rebuilds the typed error of a refused item on the main thread: decoding is deterministic, so running the
 * stateless checks again gives the same error object; what remains is a recovery failure.
 */
export function rebuildDecodeError(
  raw: Uint8Array,
  registry: Registry,
  opts: DecodeOptions,
  item: { message: string },
): BaseError {
  try {
    decodeTransaction(raw, { chainId: opts.chainId, schemaOf: registry.schemaOf, maxSize: opts.maxSize })
  } catch (e) {
    if (e instanceof BaseError) return e
  }
  return new InvalidSignatureError(item.message)
}
