/**
 * The parts of `@ethereumjs/evm`'s Journal that hold EIP-2929 warm slots: per address (unprefixed hex), the
 * set of warm slots (unprefixed 64-digit hex), the always-warm (access-list) slots, the per-checkpoint
 * diffs a revert undoes and the optional access-list report.
 */
export interface WarmJournal {
  journal: Map<string, Set<string>>
  alwaysWarmJournal: Map<string, Set<string>>
  journalDiff: [number, [Set<string>, Map<string, Set<string>>, Set<string>]][]
  accessList?: Map<string, Set<string>>
  addWarmedAddress(address: Uint8Array): void
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))
const addressHex = new WeakMap<Uint8Array, string>()

/** An address's unprefixed hex as the journal keys it, once per bytes object (a frame reuses its address). */
export function journalAddress(bytes: Uint8Array): string {
  let h = addressHex.get(bytes)
  if (h === undefined) {
    h = ''
    for (let i = 0; i < bytes.length; i++) h += HEX[bytes[i]!]
    addressHex.set(bytes, h)
  }
  return h
}

/** A slot as the journal keys it: 64 lower-case hex digits, no prefix (as `bytesToUnprefixedHex(word32(key))`). */
export function journalSlot(key: bigint): string {
  return key.toString(16).padStart(64, '0')
}

/**
 * `journal.isWarmedStorage(address, slot)` on keys already in the journal's form (no bytes-to-hex per
 * check): warm in this transaction or always warm.
 *
 * @example
 * ```ts
 * isWarmSlot(evm.journal, journalAddress(address.bytes), journalSlot(key))
 * ```
 */
export function isWarmSlot(journal: WarmJournal, address: string, slot: string): boolean {
  if (journal.journal.get(address)?.has(slot) === true) return true
  return journal.alwaysWarmJournal.get(address)?.has(slot) === true
}

/**
 * `journal.addWarmedStorage(address, slot)` on keys in the journal's form: marks the slot warm, records it
 * in the current checkpoint's diff (so a revert cools it again) and in the access-list report if one runs.
 *
 * @example
 * ```ts
 * warmSlot(evm.journal, address.bytes, journalAddress(address.bytes), journalSlot(key))
 * ```
 */
export function warmSlot(journal: WarmJournal, addressBytes: Uint8Array, address: string, slot: string): void {
  let slots = journal.journal.get(address)
  if (slots === undefined) {
    journal.addWarmedAddress(addressBytes)
    slots = journal.journal.get(address)!
  }
  if (!slots.has(slot)) {
    slots.add(slot)
    const diff = journal.journalDiff[journal.journalDiff.length - 1]![1][1]
    let diffSlots = diff.get(address)
    if (diffSlots === undefined) {
      diffSlots = new Set()
      diff.set(address, diffSlots)
    }
    diffSlots.add(slot)
  }
  // as the journal: the address is in the report once warm (a missing entry throws there too)
  if (journal.accessList !== undefined) (journal.accessList.get(address) as Set<string>).add(slot)
}
