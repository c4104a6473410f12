import type { Address } from '@appchain/core'
import { configAddress } from './validateConfig.js'

/** Where a fee goes: destroyed, to the block's coinbase (the sequencer), or to a fixed account (a fee vault). */
export type FeeRecipient = 'burn' | 'coinbase' | Address

/** Validates a `FeeRecipient` config field; addresses come back lower-case. */
export function configFeeRecipient(model: string, field: string, value: unknown): FeeRecipient {
  if (value === 'burn' || value === 'coinbase') return value
  return configAddress(model, field, value)
}

/**
 * Adds `amount` to a fee split: burnt, or credited to the recipient. Zero amounts add nothing, so a VM never
 * creates an empty account for a zero credit (which EIP-161 would delete again anyway).
 */
export function addToSplit(
  split: { burnt: bigint; credits: { to: Address; amount: bigint }[] },
  recipient: FeeRecipient,
  amount: bigint,
  coinbase: Address,
): void {
  if (amount === 0n) return
  if (recipient === 'burn') {
    split.burnt += amount
    return
  }
  const to = recipient === 'coinbase' ? coinbase : recipient
  const existing = split.credits.find((c) => c.to === to)
  if (existing) existing.amount += amount
  else split.credits.push({ to, amount })
}
