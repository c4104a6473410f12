import { describe, it } from 'vitest'

/** One check of a conformance suite: throws (any error) when the subject does not conform. */
export interface ConformanceCase<Subject> {
  name: string
  run(subject: Subject): Promise<void>
}

export interface ConformanceFailure {
  name: string
  error: unknown
}

/** Runs every case outside a test runner and returns the failures (an empty list means conformant). */
export async function checkConformance<Subject>(
  cases: readonly ConformanceCase<Subject>[],
  subject: Subject,
): Promise<ConformanceFailure[]> {
  const failures: ConformanceFailure[] = []
  for (const c of cases) {
    try {
      await c.run(subject)
    } catch (error) {
      failures.push({ name: c.name, error })
    }
  }
  return failures
}

/** Registers every case as a vitest test inside a `describe` block. */
export function registerConformance<Subject>(
  title: string,
  cases: readonly ConformanceCase<Subject>[],
  subject: Subject,
  opts: { timeout?: number } = {},
): void {
  describe(title, () => {
    for (const c of cases) it(c.name, () => c.run(subject), opts.timeout)
  })
}

/** Assertion that fails a conformance case with a readable message. */
export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`conformance: ${message}`)
}

export async function rejects(fn: () => Promise<unknown>, message: string): Promise<unknown> {
  try {
    await fn()
  } catch (error) {
    return error
  }
  throw new Error(`conformance: ${message}`)
}
