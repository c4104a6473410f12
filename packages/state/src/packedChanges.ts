// One root's account changes for one shard, packed into one ArrayBuffer (transferred to a worker as is, instead of
// tens of thousands of objects through structured clone on the caller's thread).
import { type Account, type Address, bytesToBigint, type Hex, KECCAK_EMPTY } from '@appchain/core'
import type { AccountChange } from './accountShard.js'
import { bigintBytes, fromHexInto, toHex } from './hex.js'

// Flags byte of a change.
const ACCOUNT_BASE = 0 // account as flushed (undefined)
const ACCOUNT_DELETED = 1 // null
const ACCOUNT_SET = 2 // an account follows
const HAS_REBUILD = 4
const REBUILD_NULL = 8
const REBUILD_CLEARED = 16
const HAS_SLOTS = 32
const HAS_HASH = 64

/**
 * Packs account changes: per change, the address (20 bytes), a flags byte, keccak(address) when given, then the account (nonce and balance as
 * length-prefixed big-endian bytes, the code hash as a 0 byte for the empty code or 1 and 32 bytes), the rebuilt
 * storage entry (u32 count, then slot and word, 32 bytes each) and the touched slots (u32 count, then slot, a
 * presence byte and the word when present).
 *
 * @example
 * ```ts
 * const buffer = packChanges(changes); unpackChanges(buffer) // equal to changes
 * ```
 */
export function packChanges(changes: readonly AccountChange[]): ArrayBuffer {
  let size = 0
  for (const c of changes) {
    size += 21 + (c.hash ? 32 : 0) + (c.account ? 2 + 8 + 33 + 33 : 0)
    if (c.rebuild) size += 4 + 64 * c.rebuild.slots.length
    if (c.slots) size += 4 + 65 * c.slots.length
  }
  const out = new Uint8Array(size)
  const view = new DataView(out.buffer)
  let at = 0
  const uint = (v: bigint) => {
    const b = bigintBytes(v)
    out[at++] = b.length
    out.set(b, at)
    at += b.length
  }
  for (const c of changes) {
    at = fromHexInto(c.address, out, at)
    let flags = c.account === undefined ? ACCOUNT_BASE : c.account === null ? ACCOUNT_DELETED : ACCOUNT_SET
    if (c.rebuild !== undefined) flags |= HAS_REBUILD | (c.rebuild === null ? REBUILD_NULL : 0)
    if (c.rebuild?.cleared) flags |= REBUILD_CLEARED
    if (c.slots !== undefined) flags |= HAS_SLOTS
    if (c.hash !== undefined) flags |= HAS_HASH
    out[at++] = flags
    if (c.hash !== undefined) {
      out.set(c.hash, at)
      at += 32
    }
    const a = c.account
    if (a) {
      uint(a.nonce)
      uint(a.balance)
      if (a.codeHash === KECCAK_EMPTY) out[at++] = 0
      else {
        out[at++] = 1
        at = fromHexInto(a.codeHash, out, at)
      }
    }
    if (c.rebuild) {
      view.setUint32(at, c.rebuild.slots.length)
      at += 4
      for (const [s, w] of c.rebuild.slots) at = fromHexInto(w, out, fromHexInto(s, out, at))
    }
    if (c.slots) {
      view.setUint32(at, c.slots.length)
      at += 4
      for (const [s, w] of c.slots) {
        at = fromHexInto(s, out, at)
        if (w === undefined) out[at++] = 0
        else {
          out[at++] = 1
          at = fromHexInto(w, out, at)
        }
      }
    }
  }
  return out.buffer.slice(0, at)
}

/** The changes of a `packChanges` buffer. @example `unpackChanges(buffer)` */
export function unpackChanges(buffer: ArrayBuffer): AccountChange[] {
  const bytes = new Uint8Array(buffer)
  const view = new DataView(buffer)
  const out: AccountChange[] = []
  let at = 0
  const hex = (n: number) => {
    const h = toHex(bytes.subarray(at, at + n))
    at += n
    return h
  }
  const uint = () => {
    const n = bytes[at++]!
    const v = n === 0 ? 0n : bytesToBigint(bytes.subarray(at, at + n))
    at += n
    return v
  }
  while (at < bytes.length) {
    const address = hex(20) as Address
    const flags = bytes[at++]!
    const hash = flags & HAS_HASH ? bytes.subarray(at, at + 32) : undefined
    if (hash !== undefined) at += 32
    const kind = flags & 3
    let account: Account | null | undefined
    if (kind === ACCOUNT_DELETED) account = null
    else if (kind === ACCOUNT_SET) {
      const nonce = uint()
      const balance = uint()
      const codeHash = bytes[at++] === 0 ? KECCAK_EMPTY : hex(32)
      account = { nonce, balance, codeHash }
    }
    const change: AccountChange = { address, account }
    if (hash !== undefined) change.hash = hash
    if (flags & HAS_REBUILD) {
      if (flags & REBUILD_NULL) change.rebuild = null
      else {
        const n = view.getUint32(at)
        at += 4
        const slots: [Hex, Hex][] = new Array(n)
        for (let i = 0; i < n; i++) slots[i] = [hex(32), hex(32)]
        change.rebuild = { cleared: (flags & REBUILD_CLEARED) !== 0, slots }
      }
    }
    if (flags & HAS_SLOTS) {
      const n = view.getUint32(at)
      at += 4
      const slots: [Hex, Hex | undefined][] = new Array(n)
      for (let i = 0; i < n; i++) {
        const s = hex(32)
        slots[i] = [s, bytes[at++] === 0 ? undefined : hex(32)]
      }
      change.slots = slots
    }
    out.push(change)
  }
  return out
}
