import { keccak_256 } from '@noble/hashes/sha3.js'
import { createKeccak } from 'hash-wasm'

type Hasher = Awaited<ReturnType<typeof createKeccak>>
let wasm: Hasher | undefined
let ready: Promise<void> | undefined

/**
 * Starts (once) instantiating hash-wasm's WebAssembly keccak (about 5x @noble/hashes here); resolves once
 * it is in use or known to be unavailable. The VM awaits it before decoding and executing; until then
 * `keccak256` uses @noble/hashes. Same output either way.
 *
 * @example
 * ```ts
 * await keccakReady()
 * ```
 */
export function keccakReady(): Promise<void> {
  ready ??= createKeccak(256).then(
    (h) => {
      wasm = h
    },
    () => {},
  )
  return ready
}

/**
 * keccak256 of bytes: WebAssembly once ready, @noble/hashes before.
 *
 * @example
 * ```ts
 * keccak256(new Uint8Array()) // Uint8Array(32) c5d2…a470
 * ```
 */
export function keccak256(data: Uint8Array): Uint8Array {
  const h = wasm
  if (h === undefined) return keccak_256(data)
  h.init()
  h.update(data)
  return h.digest('binary')
}
