import type { Hex } from '@appchain/core'
import { decodeAbiParameters } from 'viem'

const PANICS: Record<number, string> = {
  1: 'assert(false)',
  17: 'arithmetic underflow or overflow',
  18: 'division or modulo by zero',
  33: 'enum overflow',
  34: 'invalid encoded storage byte array accessed',
  49: 'out-of-bounds array access; popping on an empty array',
  50: 'out-of-bounds access of an array or bytesN',
  65: 'out of memory',
  81: 'uninitialized function',
}

/**
 * The human reason in revert data, as geth prints it after `execution reverted: `: the string of
 * `Error(string)`, a description of `Panic(uint256)`, or undefined for custom errors and empty data.
 *
 * @example
 * ```ts
 * revertReason('0x08c379a0...') // 'not enough tokens'
 * ```
 */
export function revertReason(data: Hex): string | undefined {
  try {
    if (data.startsWith('0x08c379a0')) {
      return decodeAbiParameters([{ type: 'string' }], `0x${data.slice(10)}`)[0]
    }
    if (data.startsWith('0x4e487b71')) {
      const code = Number(decodeAbiParameters([{ type: 'uint256' }], `0x${data.slice(10)}`)[0])
      return `panic: ${PANICS[code] ?? 'unknown panic code'} (0x${code.toString(16)})`
    }
  } catch {
    // Malformed data: no reason, the raw data still goes out in error.data.
  }
  return undefined
}
