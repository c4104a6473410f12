// keccak256 for the trie's hot path: hash-wasm's WebAssembly keccak (about 5x @noble/hashes here), called through
// its one-shot export on the module's own buffer (no wrapper objects per hash), once it is instantiated
// (asynchronously); @noble/hashes until then or if WebAssembly is unavailable.
import { keccak_256 } from '@noble/hashes/sha3.js'
import { KECCAK_WASM_BASE64 } from './keccakWasm.js'

/** The module's exports we call (see hash-wasm's sha3.c). */
interface KeccakExports {
  memory: { buffer: ArrayBuffer }
  Hash_GetBuffer(): number
  Hash_Init(bits: number): void
  Hash_Update(length: number): void
  Hash_Final(padding: number): void
  Hash_Calculate(length: number, bits: number, padding: number): void
}

/** The part of the WebAssembly API used here (declared: the package's lib has no WebAssembly types). */
interface WasmApi {
  compile(bytes: Uint8Array<ArrayBuffer>): Promise<object>
  instantiate(module: object, imports: object): Promise<{ exports: object }>
}

/** The module's input/output buffer size: longer inputs go through Init/Update/Final in chunks. */
const BUFFER = 16 * 1024
/** Keccak's padding byte (SHA-3 would be 0x06). */
const KECCAK_PADDING = 0x01

let wasm: KeccakExports | undefined
/** The module's buffer (input before a call, the digest after). */
let buf = new Uint8Array(0)
let ready: Promise<void> | undefined
let settled = false

function base64Bytes(b64: string): Uint8Array<ArrayBuffer> {
  const NodeBuffer = (globalThis as { Buffer?: typeof Buffer }).Buffer
  if (NodeBuffer !== undefined) return new Uint8Array(NodeBuffer.from(b64, 'base64'))
  const s = atob(b64)
  const out = new Uint8Array(s.length)
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i)
  return out
}

async function instantiate(): Promise<void> {
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly
  if (api === undefined) throw new Error('WebAssembly is unavailable')
  const module = await api.compile(base64Bytes(KECCAK_WASM_BASE64))
  const instance = await api.instantiate(module, {})
  const exports = instance.exports as unknown as KeccakExports
  buf = new Uint8Array(exports.memory.buffer, exports.Hash_GetBuffer(), BUFFER)
  wasm = exports
}

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
  ready ??= instantiate().then(
    () => {
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

/** Hashes data[start..end) with the module, leaving the digest in buf[0..32). */
function hashInWasm(w: KeccakExports, data: Uint8Array, start: number, end: number): void {
  const n = end - start
  if (n <= BUFFER) {
    buf.set(start === 0 && end === data.length ? data : data.subarray(start, end))
    w.Hash_Calculate(n, 256, KECCAK_PADDING)
    return
  }
  w.Hash_Init(256)
  for (let at = start; at < end; at += BUFFER) {
    const chunk = data.subarray(at, Math.min(at + BUFFER, end))
    buf.set(chunk)
    w.Hash_Update(chunk.length)
  }
  w.Hash_Final(KECCAK_PADDING)
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
  const w = wasm
  if (w === undefined) return keccak_256(data)
  hashInWasm(w, data, 0, data.length)
  return buf.slice(0, 32)
}

/**
 * keccak256 of data[start..end), written into out[off..off + 32) (no allocation once the WebAssembly hasher is
 * ready): for hashes that go straight into a larger buffer (a node's encoding, a path's nibbles).
 *
 * @example
 * ```ts
 * keccak256Into(enc, 0, len, enc, len) // the hash right after the encoding
 * ```
 */
export function keccak256Into(data: Uint8Array, start: number, end: number, out: Uint8Array, off: number): void {
  const w = wasm
  if (w === undefined) {
    out.set(keccak_256(data.subarray(start, end)), off)
    return
  }
  hashInWasm(w, data, start, end)
  const b = buf
  for (let i = 0; i < 32; i++) out[off + i] = b[i]!
}
