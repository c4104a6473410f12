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
})
