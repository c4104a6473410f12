import { readFileSync } from 'node:fs'
import { type Address, KECCAK_EMPTY } from '@appchain/core'
import { keccak_256 } from '@noble/hashes/sha3.js'

/** Deterministic address number `i` (keccak-spread, as real addresses are). */
export function address(i: number): Address {
  const h = keccak_256(Uint8Array.of(i >>> 24, (i >>> 16) & 255, (i >>> 8) & 255, i & 255, 0xab))
  let s = '0x'
  for (let j = 12; j < 32; j++) s += h[j]!.toString(16).padStart(2, '0')
  return s as Address
}

export const account = (balance: bigint, nonce = 0n) => ({ nonce, balance, codeHash: KECCAK_EMPTY })

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

/** A seeded PRNG (mulberry32): the same dirty keys for both sides. */
export function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export const ms = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1))

export function printTable(head: string[], rows: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`
  console.log(line(head))
  console.log(`|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`)
  for (const r of rows) console.log(line(r))
}

/** CPU ms of this thread so far (Linux /proc, clock ticks of 10 ms; NaN elsewhere), as the vm-parallel benches measure it. */
export function threadCpuMs(): number {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8')
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(f[11]) + Number(f[12])) * 10
  } catch {
    return Number.NaN
  }
}
