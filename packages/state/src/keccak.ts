// keccak256 for the trie's hot path: hash-wasm's WebAssembly keccak (about 5x @noble/hashes here)
// once it is instantiated (asynchronously), @noble/hashes until then or if WebAssembly is unavailable.
import { keccak_256 } from '@noble/hashes/sha3.js'
import { createKeccak } from 'hash-wasm'

type Hasher = Awaited<ReturnType<typeof createKeccak>>
let wasm: Hasher | undefined
let ready: Promise<void> | undefined
let settled = false

/**
 * Starts (once) instantiating the WebAssembly hasher; resolves when it is in use (or unavailable).
 * Async trie and state methods await it themselves; await it before sync hashing (`orderedTrieRoot`)
 * on a hot path.
 *
 * @example
 * ```ts
 * await keccakReady()
 * orderedTrieRoot(txs)
 * ```
 */
export function keccakReady(): Promise<void> {
  ready ??= createKeccak(256).then(
    (h) => {
      wasm = h
      settled = true
    },
    () => {
      settled = true
    },
  )
  return ready
}

/** Whether the WebAssembly hasher is in use (`keccakReady()` has resolved with it). */
export function keccakIsReady(): boolean {
  return wasm !== undefined || (ready !== undefined && settled)
}

/**
 * keccak256 of bytes (WebAssembly once ready, @noble/hashes before); same output either way.
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
