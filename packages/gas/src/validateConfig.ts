import type { Address } from '@appchain/core'
import { GasModelConfigError } from '@appchain/core'

const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/

/**
 * A bigint config field that must be at least `min` (0 unless told). A missing or non-bigint value is a
 * programming error (TypeError); an impossible number is a `GasModelConfigError` naming the model and field.
 */
export function configBigint(model: string, field: string, value: unknown, opts: { min?: bigint } = {}): bigint {
  if (typeof value !== 'bigint') throw new TypeError(`${model}: ${field} must be a bigint, got ${typeof value}`)
  const min = opts.min ?? 0n
  if (value < min) {
    throw new GasModelConfigError({
      model,
      field,
      reason: min === 0n ? `must not be negative (got ${value})` : `must be at least ${min} (got ${value})`,
    })
  }
  return value
}

/** A 20-byte hex address, returned lower-case (appchain's internal form). */
export function configAddress(model: string, field: string, value: unknown): Address {
  if (typeof value !== 'string')
    throw new TypeError(`${model}: ${field} must be an address string, got ${typeof value}`)
  if (!ADDRESS_RE.test(value)) {
    throw new GasModelConfigError({ model, field, reason: `is not a 20-byte hex address (got ${value})` })
  }
  return value.toLowerCase() as Address
}

/**
 * A fraction given as a JavaScript number in [min, max], converted once to parts per million so every
 * later computation is integer arithmetic (identical on every node).
 */
export function configPpm(model: string, field: string, value: unknown, range: { min: number; max: number }): bigint {
  if (typeof value !== 'number') throw new TypeError(`${model}: ${field} must be a number, got ${typeof value}`)
  if (!Number.isFinite(value) || value < range.min || value > range.max) {
    throw new GasModelConfigError({
      model,
      field,
      reason: `must be between ${range.min} and ${range.max} (got ${value})`,
    })
  }
  return BigInt(Math.round(value * 1e6))
}

/** A namespace for `GasStore` keys: short, no separator, so nested models cannot collide by accident. */
export function configNamespace(model: string, value: unknown): string {
  if (typeof value !== 'string') throw new TypeError(`${model}: namespace must be a string, got ${typeof value}`)
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(value)) {
    throw new GasModelConfigError({ model, field: 'namespace', reason: `must be 1-32 of [A-Za-z0-9_-] (got ${value})` })
  }
  return value
}
