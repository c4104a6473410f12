/** The Ethereum hardforks whose rules this VM implements. */
export type Hardfork = 'shanghai' | 'cancun' | 'prague'

/** Ordered, so rules can ask for "at least". */
export const HARDFORKS: readonly Hardfork[] = ['shanghai', 'cancun', 'prague']

/**
 * True when `hardfork` is `min` or later.
 *
 * @example
 * ```ts
 * isActive('prague', 'cancun') // true
 * ```
 */
export function isActive(hardfork: Hardfork, min: Hardfork): boolean {
  return HARDFORKS.indexOf(hardfork) >= HARDFORKS.indexOf(min)
}

/** Argument guard for configs. */
export function assertHardfork(value: unknown): asserts value is Hardfork {
  if (!HARDFORKS.includes(value as Hardfork))
    throw new RangeError(`Unsupported hardfork ${String(value)}: expected one of ${HARDFORKS.join(', ')}`)
}
