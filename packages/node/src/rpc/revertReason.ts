import type { Hex } from '@appchain/core'
import { decodeAbiParameters } from 'viem'

const PANICS: Record<number, string> = {
  0x01: 'assert(false)',
  0x11: 'arithmetic underflow or overflow',
  0x12: 'division or modulo by zero',
  0x21: 'enum overflow',
  0x22: 'invalid encoded storage byte array accessed',
  0x31: 'out-of-bounds array access; popping on an empty array',
  0x32: 'out-of-bounds access of an array or bytesN',
  0x41: 'out of memory',
  0x51: 'uninitialized function',
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
