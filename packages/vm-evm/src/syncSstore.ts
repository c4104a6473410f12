import type { Common } from '@ethereumjs/common'
import { EVMError } from '@ethereumjs/evm'
import type { Address } from '@ethereumjs/util'
import type { GasRunState } from './syncGas.js'
import { isWarmSlot, journalAddress, journalSlot, warmSlot } from './warmSlots.js'

/** A state manager that keeps storage words per transaction (our StateAdapter): SSTORE's reads. */
export interface StorageWords {
  cachedStorageWord(address: Address, key: bigint): bigint | undefined
  cachedOriginalStorageWord(address: Address, key: bigint): bigint | undefined
  getStorageWord(address: Address, key: bigint): Promise<bigint>
  getOriginalStorageWord(address: Address, key: bigint): Promise<bigint>
}

/** The run state SSTORE's gas rule reads and writes (refund counter, gas left for the sentry check). */
export interface SstoreRunState {
  gasLeft: bigint
  gasRefund: bigint
  stack: GasRunState['stack']
  interpreter: {
    isStatic(): boolean
    getAddress(): Address
    journal: GasRunState['interpreter']['journal']
  }
}

/** SSTORE's full gas (base included); a bigint when both slot values were at hand, else a promise. */
export type SstoreGas = (runState: SstoreRunState, gas: bigint) => bigint | Promise<bigint>

function trap(error: string): never {
  throw new EVMError(error as never)
}

/**
 * SSTORE's dynamic gas and refunds (EIP-2200 net metering with EIP-2929 cold/warm slots and EIP-3529
 * refunds, i.e. every fork from Berlin on) computed on bigints from the current and original values the
 * state manager already holds for this transaction: no StateDb read when the slot was touched before (the
 * usual case: SLOAD then SSTORE), no byte or hex conversions. Same gas, refund changes, errors, warming
 * and order as `@ethereumjs/evm`'s handler (static check, value reads, sentry, EIP-2200 rules, then the
 * cold-slot charge). Undefined for rules it does not implement (EIP-8038/8037/6800/7864/7928, Constantinople,
 * before Istanbul), where the caller keeps the interpreter's own handler.
 *
 * @example
 * ```ts
 * const sstore = syncSstoreGas(common, adapter)
 * const gas = await sstore?.(runState, 0n)
 * ```
 */
export function syncSstoreGas(common: Common, words: StorageWords): SstoreGas | undefined {
  if (!common.isActivatedEIP(2929) || !common.gteHardfork('istanbul')) return undefined
  if ([6800, 7864, 7928, 8037, 8038].some((eip) => common.isActivatedEIP(eip))) return undefined
  const sentry = common.param('sstoreSentryEIP2200Gas')
  const noop = common.param('sstoreNoopEIP2200Gas')
  const init = common.param('sstoreInitEIP2200Gas')
  const clean = common.param('sstoreCleanEIP2200Gas')
  const dirty = common.param('sstoreDirtyEIP2200Gas')
  const clearRefund = common.param('sstoreClearRefundEIP2200Gas')
  const initRefund = common.param('sstoreInitRefundEIP2200Gas')
  const cleanRefund = common.param('sstoreCleanRefundEIP2200Gas')
  const reset = common.param('sstoreResetGas')
  const cold = common.param('coldsloadGas')
  const warmRead = common.param('warmstoragereadGas')

  const rule = (rs: SstoreRunState, gas: bigint, key: bigint, value: bigint, current: bigint, original: bigint) => {
    if (rs.gasLeft <= sentry) trap(EVMError.errorMessages.OUT_OF_GAS)
    const journal = rs.interpreter.journal
    const bytes = rs.interpreter.getAddress().bytes
    const address = journalAddress(bytes)
    const slot = journalSlot(key)
    const warm = isWarmSlot(journal, address, slot)
    if (current === value) gas += warm ? warmRead : noop
    else if (original === current) {
      if (original === 0n) gas += init
      else {
        if (value === 0n) rs.gasRefund += clearRefund
        gas += clean
      }
    } else {
      if (original !== 0n) {
        if (current === 0n) {
          rs.gasRefund -= clearRefund
          if (rs.gasRefund < 0n) {
            rs.gasRefund = 0n
            trap(EVMError.errorMessages.REFUND_EXHAUSTED)
          }
        } else if (value === 0n) rs.gasRefund += clearRefund
      }
      if (original === value) {
        if (original === 0n) rs.gasRefund += warm ? init - warmRead : initRefund
        else rs.gasRefund += warm ? reset - cold - warmRead : cleanRefund
      }
      gas += dirty
    }
    if (!warm) {
      warmSlot(journal, bytes, address, slot)
      gas += cold
    }
    return gas
  }

  const load = async (rs: SstoreRunState, gas: bigint, address: Address, key: bigint, value: bigint) => {
    const current = await words.getStorageWord(address, key)
    const original = await words.getOriginalStorageWord(address, key)
    return rule(rs, gas, key, value, current, original)
  }

  return (rs, gas) => {
    if (rs.interpreter.isStatic()) trap(EVMError.errorMessages.STATIC_STATE_CHANGE)
    const [key, value] = rs.stack.peek(2) as [bigint, bigint]
    const address = rs.interpreter.getAddress()
    const current = words.cachedStorageWord(address, key)
    const original = current === undefined ? undefined : words.cachedOriginalStorageWord(address, key)
    if (current === undefined || original === undefined) return load(rs, gas, address, key, value)
    return rule(rs, gas, key, value, current, original)
  }
}
