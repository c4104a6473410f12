import { hexToBytes } from '@appchain/core'
import { describe, expect, it } from 'vitest'
import { flzCompressLen } from './flzCompressLen.js'

// Vectors shared by op-geth, revm and maili (a mainnet Base contract call among them).
const CONTRACT_CALL =
  '0x02f901550a758302df1483be21b88304743f94f80e51afb613d764fa61751affd3313c190a86bb870151bd62fd12adb8e41ef24f3f000000000000000000000000000000000000000000000000000000000000006e000000000000000000000000af88d065e77c8cc2239327c5edb3a432268e5831000000000000000000000000000000000000000000000000000000000003c1e5000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000a000000000000000000000000000000000000000000000000000000000000000148c89ed219d02f1a5be012c689b4f5b731827bebe000000000000000000000000c001a033fd89cb37c31b2cba46b6466e040c61fc9b2a3675a7f5f493ebd5ad77c497f8a07cdf65680e238392693019b4092f610222e71b7cec06449cb922b93b6a12744e'

describe('flzCompressLen', () => {
  it('matches the reference implementations on known inputs', () => {
    expect(flzCompressLen(new Uint8Array(0))).toBe(0)
    expect(flzCompressLen(new Uint8Array(1000))).toBe(21)
    expect(flzCompressLen(new Uint8Array(1000).fill(42))).toBe(21)
    expect(flzCompressLen(hexToBytes('0xfacade'))).toBe(4)
    expect(flzCompressLen(hexToBytes(CONTRACT_CALL))).toBe(202)
  })

  it('grows with every new byte of incompressible input', () => {
    let previous = 0
    const input: number[] = []
    for (let b = 0; b < 256; b++) {
      input.push(b)
      const len = flzCompressLen(Uint8Array.from(input))
      expect(len).toBeGreaterThan(previous)
      previous = len
    }
  })

  it('gives the same lengths as a fresh table per call, whatever was compressed before', () => {
    // The straightforward version (a zeroed table per call), as the reference for the shared, stamped table.
    const reference = (input: Uint8Array): number => {
      const n = input.length
      const limit = n < 13 ? 0 : n - 13
      const table = new Uint32Array(8192)
      const u24 = (i: number) => input[i]! | (input[i + 1]! << 8) | (input[i + 2]! << 16)
      const hash = (v: number) => (Math.imul(v, 0x9e3779b9) >>> 19) & 0x1fff
      const literals = (run: number, size: number) =>
        run % 0x20 === 0
          ? size + 0x21 * Math.floor(run / 0x20)
          : size + 0x21 * Math.floor(run / 0x20) + (run % 0x20) + 1
      const match = (len: number, size: number) =>
        size + 3 * Math.floor((len - 1) / 262) + ((len - 1) % 262 >= 6 ? 3 : 2)
      let i = 2
      let anchor = 0
      let size = 0
      while (i < limit) {
        let ref = 0
        for (;;) {
          const seq = u24(i)
          const h = hash(seq)
          ref = table[h]!
          table[h] = i
          if (i >= limit) break
          i++
          if (i - 1 - ref < 8192 && seq === u24(ref)) break
        }
        if (i >= limit) break
        i--
        if (i > anchor) size = literals(i - anchor, size)
        let len = 0
        let end = limit + 9 - (i + 3)
        while (len < end) {
          if (input[ref + 3 + len] !== input[i + 3 + len]) end = 0
          len++
        }
        size = match(len, size)
        i += len
        table[hash(u24(i))] = i
        i++
        table[hash(u24(i))] = i
        i++
        anchor = i
      }
      return literals(n - anchor, size)
    }
    let seed = 7
    const rand = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
      return seed >>> 16
    }
    for (let k = 0; k < 400; k++) {
      // Mixed inputs: random, repetitive, and long enough to fill many table entries.
      const len = rand() % (k % 10 === 0 ? 20_000 : 600)
      const alphabet = 1 + (rand() % 256)
      const input = Uint8Array.from({ length: len }, () => rand() % alphabet)
      expect(flzCompressLen(input)).toBe(reference(input))
    }
    expect(flzCompressLen(hexToBytes(CONTRACT_CALL))).toBe(202)
  })
})
