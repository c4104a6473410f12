import { keccak_256 } from '@noble/hashes/sha3.js'
import { createKeccak } from 'hash-wasm'
import { describe, expect, it } from 'vitest'
import { keccak256, keccak256Into, keccakIsReady, keccakReady } from './keccak.js'

/** Deterministic bytes (xorshift), so failures reproduce. */
function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n)
  let x = seed | 1
  for (let i = 0; i < n; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out[i] = x & 0xff
  }
  return out
}

// Around the rate (136 bytes), the module's 16 KiB buffer (inputs past it go through Init/Update/Final in chunks).
const LENGTHS = [0, 1, 20, 31, 32, 33, 55, 56, 135, 136, 137, 271, 272, 273, 532, 16383, 16384, 16385, 40_000]

describe('keccak256 (the WebAssembly module called directly)', () => {
  it('hashes like @noble/hashes and hash-wasm at every length around the rate and the buffer size', async () => {
    await keccakReady()
    expect(keccakIsReady()).toBe(true)
    const hashWasm = await createKeccak(256)
    for (const n of LENGTHS)
      for (let seed = 1; seed <= 3; seed++) {
        const data = bytes(n, seed * 7919 + n)
        const expected = keccak_256(data)
        expect(keccak256(data), `length ${n}`).toEqual(expected)
        expect(hashWasm.init().update(data).digest('binary')).toEqual(expected)
      }
    expect(Buffer.from(keccak256(new Uint8Array())).toString('hex')).toBe(
      'c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470',
    )
  })

  it('returns a copy of its own each call (the next hash does not overwrite it)', async () => {
    await keccakReady()
    const a = keccak256(bytes(10, 1))
    const copy = a.slice()
    keccak256(bytes(10, 2))
    expect(a).toEqual(copy)
    expect(a.buffer.byteLength).toBe(32)
  })

  it('keccak256Into hashes a range into a range, leaving the rest of both untouched', async () => {
    await keccakReady()
    for (const n of LENGTHS) {
      const data = bytes(n + 10, n + 1)
      const out = bytes(80, 99)
      const before = out.slice()
      keccak256Into(data, 3, 3 + n, out, 17)
      expect(out.subarray(17, 49), `length ${n}`).toEqual(keccak_256(data.subarray(3, 3 + n)))
      expect(out.subarray(0, 17)).toEqual(before.subarray(0, 17))
      expect(out.subarray(49)).toEqual(before.subarray(49))
    }
    // In place: the hash of a buffer's head written right after it.
    const buf = bytes(100, 5)
    const head = buf.slice(0, 60)
    keccak256Into(buf, 0, 60, buf, 60)
    expect(buf.subarray(60, 92)).toEqual(keccak_256(head))
  })
})
