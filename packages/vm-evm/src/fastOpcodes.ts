import type { EVM } from '@ethereumjs/evm'
import { type Address, bytesToBigInt } from '@ethereumjs/util'
import { readWord32, word32, writeWord32 } from './word32.js'

/** A state manager that answers SLOAD and takes SSTORE as bigints directly (our StateAdapter). */
export interface StorageWordReader {
  getStorageWord(address: Address, key: bigint): Promise<bigint>
  /** The value if already read or written in this transaction (no await then). */
  cachedStorageWord(address: Address, key: bigint): bigint | undefined
  putStorageWord(address: Address, key: bigint, value: bigint): Promise<void>
}

interface OpRunState {
  opCode: number
  stack: { pop(): bigint; popN(n: number): bigint[]; push(v: bigint): void }
  memory: {
    _store: Uint8Array
    extend(offset: number, size: number): void
    read(offset: number, size: number, avoidCopy?: boolean): Uint8Array
  }
  interpreter: {
    storageLoad(key: Uint8Array): Promise<Uint8Array>
    getAddress(): Address
    log(data: Uint8Array, topicsCount: number, topics: Uint8Array[]): void
    getCallData(): Uint8Array
    getCallDataSize(): bigint
  }
}

type OpHandler = (runState: OpRunState) => unknown

const EMPTY = new Uint8Array(0)

/**
 * Replaces, on this EVM's own opcode table (built per EVM instance, so other EVMs in the process keep the
 * stock handlers), the handlers of the hottest opcodes that turn a stack word into 32 bytes with
 * `setLengthLeft(bigIntToBytes(v), 32)` (a hex string and two array spreads per word) or 32 bytes into a
 * word with `bytesToBigInt` (a hex string): MSTORE (written straight into memory), MLOAD, CALLDATALOAD,
 * KECCAK256, SLOAD and LOG0..LOG4. Same reads, writes, errors and order, with `word32`/`writeWord32`/
 * `readWord32` for the conversions. When the state manager
 * is a `StorageWordReader` and EIP-7928 (whose access list `storageLoad` feeds) is off, SLOAD asks it for
 * the value as a bigint, skipping the key and value byte conversions altogether, and returns no promise
 * when the transaction already touched the slot; with EIP-8037 (state gas) off too, SSTORE writes the
 * bigint value the same way. (The stock SSTORE then re-reads the frame's account into `env.contract`:
 * a storage write changes no account field, so that read is skipped.)
 *
 * @example
 * ```ts
 * useFastOpcodes(evm)
 * ```
 */
export function useFastOpcodes(evm: EVM, words?: StorageWordReader): void {
  const table = (evm as unknown as { _opcodeMap: { opHandler: OpHandler }[] })._opcodeMap
  const set = (op: number, handler: OpHandler) => {
    const entry = table[op]
    if (entry) entry.opHandler = handler
  }
  // KECCAK256 (the hash read straight into a bigint, no hex)
  const keccak = evm.common.customCrypto.keccak256
  if (keccak)
    set(0x20, (rs) => {
      const [offset, length] = rs.stack.popN(2) as [bigint, bigint]
      const data = length === 0n ? EMPTY : rs.memory.read(Number(offset), Number(length), true)
      rs.stack.push(readWord32(keccak(data), 0))
    })
  // CALLDATALOAD (bytes past the calldata read as zero)
  set(0x35, (rs) => {
    const pos = rs.stack.pop()
    if (pos > rs.interpreter.getCallDataSize()) rs.stack.push(0n)
    else rs.stack.push(readWord32(rs.interpreter.getCallData(), Number(pos)))
  })
  // MLOAD
  set(0x51, (rs) => {
    const offset = Number(rs.stack.pop())
    rs.memory.extend(offset, 32)
    rs.stack.push(readWord32(rs.memory._store, offset))
  })
  // MSTORE (written straight into memory)
  set(0x52, (rs) => {
    const [offset, word] = rs.stack.popN(2) as [bigint, bigint]
    const at = Number(offset)
    rs.memory.extend(at, 32)
    writeWord32(rs.memory._store, at, word)
  })
  // SLOAD
  if (words && !evm.common.isActivatedEIP(7928)) {
    set(0x54, (rs) => {
      const key = rs.stack.pop()
      const address = rs.interpreter.getAddress()
      const cached = words.cachedStorageWord(address, key)
      if (cached !== undefined) {
        rs.stack.push(cached)
        return undefined
      }
      return words.getStorageWord(address, key).then((v) => rs.stack.push(v))
    })
    // SSTORE (its gas rule has checked the static context)
    if (!evm.common.isActivatedEIP(8037))
      set(0x55, (rs) => {
        const [key, value] = rs.stack.popN(2) as [bigint, bigint]
        return words.putStorageWord(rs.interpreter.getAddress(), key, value)
      })
  } else
    set(0x54, async (rs) => {
      const key = rs.stack.pop()
      const value = await rs.interpreter.storageLoad(word32(key))
      rs.stack.push(value.length ? bytesToBigInt(value) : 0n)
    })
  // LOG0..LOG4
  const log: OpHandler = (rs) => {
    const [memOffset, memLength] = rs.stack.popN(2) as [bigint, bigint]
    const topicsCount = rs.opCode - 0xa0
    const topics = rs.stack.popN(topicsCount).map(word32)
    const data = memLength === 0n ? new Uint8Array(0) : rs.memory.read(Number(memOffset), Number(memLength))
    rs.interpreter.log(data, topicsCount, topics)
  }
  for (let op = 0xa0; op <= 0xa4; op++) set(op, log)
}
