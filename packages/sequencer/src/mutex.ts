/**
 * Runs async sections one at a time, in call order: the open block and its state checkpoint must never see two
 * writers interleave across `await`s.
 *
 * @example
 * ```ts
 * const lock = createMutex()
 * await lock.run(async () => { state.checkpoint(); await work(); state.commit() })
 * ```
 */
export function createMutex() {
  let tail: Promise<unknown> = Promise.resolve()
  let depth = 0
  return {
    get busy() {
      return depth > 0
    },
    run<T>(fn: () => Promise<T> | T): Promise<T> {
      depth++
      const result = tail.then(fn)
      tail = result.then(
        () => depth--,
        () => depth--,
      )
      return result
    },
  }
}
