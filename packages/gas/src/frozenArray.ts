/**
 * `items`, frozen, typed as the mutable array an interface field declares: for results a model hands out again
 * to later callers (a shared `FeeCharge`'s credits), where a caller that wrote to it would change another
 * transaction's result. Frozen, such a write throws instead.
 *
 * @example
 * ```ts
 * const credits = frozenArray([Object.freeze({ to: coinbase, amount: 21_000n })])
 * ```
 */
export function frozenArray<T>(items: T[]): T[] {
  return Object.freeze(items) as T[]
}
