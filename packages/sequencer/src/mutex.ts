type Job = () => void

/**
 * Runs async sections one at a time. `run` queues in call order; `runFirst` jumps ahead of every queued `run`
 * (block sealing at a tick must not wait behind a backlog of admissions, or the interval would drift).
 *
 * @example
 * ```ts
 * const lock = createMutex()
 * await lock.run(async () => { state.checkpoint(); await work(); state.commit() })
 * await lock.runFirst(() => sealBlock())
 * ```
 */
export function createMutex() {
  const urgent: Job[] = []
  const normal: Job[] = []
  let held = false

  const next = () => {
    const job = urgent.shift() ?? normal.shift()
    if (job) job()
    else held = false
  }

  const enqueue = <T>(queue: Job[], fn: () => Promise<T> | T): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      queue.push(() => {
        Promise.resolve().then(fn).then(resolve, reject).finally(next)
      })
      if (!held) {
        held = true
        next()
      }
    })

  return {
    /** Whether a section is running or waiting. */
    get busy() {
      return held
    },
    get queued() {
      return urgent.length + normal.length
    },
    run: <T>(fn: () => Promise<T> | T) => enqueue(normal, fn),
    runFirst: <T>(fn: () => Promise<T> | T) => enqueue(urgent, fn),
  }
}
