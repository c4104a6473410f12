// One root's account changes for one shard, packed into one ArrayBuffer (transferred to a worker as is, instead of
// tens of thousands of objects through structured clone on the caller's thread).
import { type Account, type Address, bytesToBigint, type Hex, KECCAK_EMPTY } from '@appchain/core'
import type { AccountChange } from './accountShard.js'
import { ByteWriter } from './byteWriter.js'
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
 * Writes account changes into one growing buffer, streamed (no change objects): per change, the address (20
 * bytes), a flags byte, keccak(address) when given, then the account (nonce and balance as length-prefixed
 * big-endian bytes, the code hash as a 0 byte for the empty code or 1 and 32 bytes), the rebuilt storage entry
 * (u32 count, then slot and word, 32 bytes each) and the touched slots (u32 count, then slot, a presence byte and
 * the word when present). Call `begin`, then `rebuildSlot` as many times as announced, then `touched` with its
 * count and `touchedSlot` as many times.
 *
 * @example
 * ```ts
 * const w = new ChangesWriter(); w.begin(address, hash, account, undefined); const buffer = w.finish()
 * ```
 */
export class ChangesWriter extends ByteWriter {
  constructor(capacity = 1 << 16) {
    super(capacity)
  }

  private uint(v: bigint): void {
    const buf = this.buf
    if (v < 0x100000000n) {
      // Nonces and most balances: written in place, no bytes allocated.
      let x = Number(v)
      const n = x === 0 ? 0 : x < 0x100 ? 1 : x < 0x10000 ? 2 : x < 0x1000000 ? 3 : 4
      buf[this.at++] = n
      for (let i = this.at + n - 1; i >= this.at; i--, x >>>= 8) buf[i] = x & 0xff
      this.at += n
      return
    }
    const b = bigintBytes(v)
    buf[this.at++] = b.length
    buf.set(b, this.at)
    this.at += b.length
  }

  /**
   * Starts a change. `rebuild`: undefined (none), null (rebuilt on the flushed root without an entry), or the
   * entry's `cleared` flag and slot count (then `rebuildSlot` that many times). `touched`: whether `touched` follows.
   */
  begin(
    address: Address,
    hash: Uint8Array | undefined,
    account: Account | null | undefined,
    rebuild: { cleared: boolean; count: number } | null | undefined,
    touched = false,
  ): void {
    this.reserve(21 + 32 + 76 + 4 + (rebuild ? 64 * rebuild.count : 0))
    const buf = this.buf
    this.at = fromHexInto(address, buf, this.at)
    let flags = account === undefined ? ACCOUNT_BASE : account === null ? ACCOUNT_DELETED : ACCOUNT_SET
    if (rebuild !== undefined) flags |= HAS_REBUILD | (rebuild === null ? REBUILD_NULL : 0)
    if (rebuild?.cleared) flags |= REBUILD_CLEARED
    if (touched) flags |= HAS_SLOTS
    if (hash !== undefined) flags |= HAS_HASH
    buf[this.at++] = flags
    if (hash !== undefined) {
      buf.set(hash, this.at)
      this.at += 32
    }
    if (account) {
      this.uint(account.nonce)
      this.uint(account.balance)
      if (account.codeHash === KECCAK_EMPTY) buf[this.at++] = 0
      else {
        buf[this.at++] = 1
        this.at = fromHexInto(account.codeHash, buf, this.at)
      }
    }
    if (rebuild) {
      this.view.setUint32(this.at, rebuild.count)
      this.at += 4
    }
  }

  /** One slot of the rebuilt entry. */
  rebuildSlot(slot: Hex, word: Hex): void {
    this.at = fromHexInto(word, this.buf, fromHexInto(slot, this.buf, this.at))
  }

  /** Announces `count` touched slots (after `begin(…, true)` and the rebuilt slots). */
  touched(count: number): void {
    this.reserve(4 + 65 * count)
    this.view.setUint32(this.at, count)
    this.at += 4
  }

  /** One touched slot: its word now, or undefined for the flushed value. */
  touchedSlot(slot: Hex, word: Hex | undefined): void {
    const buf = this.buf
    this.at = fromHexInto(slot, buf, this.at)
    if (word === undefined) buf[this.at++] = 0
    else {
      buf[this.at++] = 1
      this.at = fromHexInto(word, buf, this.at)
    }
  }
}

/**
 * Packs account change objects (see `ChangesWriter` for the layout).
 *
 * @example
 * ```ts
 * const buffer = packChanges(changes); unpackChanges(buffer) // equal to changes
 * ```
 */
export function packChanges(changes: readonly AccountChange[]): ArrayBuffer {
  const w = new ChangesWriter()
  for (const c of changes) {
    const rebuild = c.rebuild ? { cleared: c.rebuild.cleared, count: c.rebuild.slots.length } : c.rebuild
    w.begin(c.address, c.hash, c.account, rebuild, c.slots !== undefined)
    if (c.rebuild) for (const [s, word] of c.rebuild.slots) w.rebuildSlot(s, word)
    if (c.slots !== undefined) {
      w.touched(c.slots.length)
      for (const [s, word] of c.slots) w.touchedSlot(s, word)
    }
  }
  return w.finish()
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
