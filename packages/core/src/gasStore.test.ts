import { describe, expect, it } from 'vitest'
import { bytesToHex } from './bytes.js'
import { PREDEPLOYS } from './constants.js'
import { gasStoreSlot, stateGasStore } from './gasStore.js'
import { keccak256 } from './hash.js'
import type { StateReader } from './interfaces/state.js'
import type { Hex } from './types.js'

const slotOf = (key: string) => bytesToHex(keccak256(new TextEncoder().encode(key)))
let n = 0
// Keys no other test (nor an earlier case) has asked for: the table of slots is shared by the whole process.
const freshKey = (label: string) => `${label}:${process.pid}:${Date.now()}:${n++}`

describe('gasStoreSlot', () => {
  it('is keccak256 of the key, with or without a caller-supplied hasher', () => {
    const a = freshKey('plain')
    const b = freshKey('hasher')
    expect(gasStoreSlot(a)).toBe(slotOf(a))
    expect(gasStoreSlot(b, keccak256)).toBe(slotOf(b))
    expect(gasStoreSlot('sp:u:0xabc')).toBe(slotOf('sp:u:0xabc'))
  })

  it('hashes a key once: later calls, with any hasher, find the slot computed first', () => {
    const key = freshKey('shared')
    const calls: number[] = []
    const hasher = (data: Uint8Array) => {
      calls.push(data.length)
      return keccak256(data)
    }
    const first = gasStoreSlot(key, hasher)
    expect(calls).toEqual([new TextEncoder().encode(key).length])
    // As a VM's block store after the sequencer's admission store: no second hash.
    expect(gasStoreSlot(key, hasher)).toBe(first)
    expect(gasStoreSlot(key)).toBe(first)
    expect(calls).toHaveLength(1)
  })

  it("is the slot core's admission store reads", async () => {
    const key = freshKey('store')
    const want = slotOf(key)
    const read: Hex[] = []
    const state = {
      async getStorage(address: Hex, slot: Hex) {
        expect(address).toBe(PREDEPLOYS.gasStore)
        read.push(slot)
        return `0x${'00'.repeat(31)}07` as Hex
      },
    } as unknown as StateReader
    const store = stateGasStore(state)
    expect(await store.get(key)).toBe(7n)
    expect(await store.getMany?.([key, key])).toEqual([7n, 7n])
    expect(read).toEqual([want, want, want])
  })
})
