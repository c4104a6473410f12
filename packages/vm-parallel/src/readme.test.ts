import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it, vi } from 'vitest'

describe('README', () => {
  afterEach(() => vi.restoreAllMocks())

  it('runs its example as written', async () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
    const example = readFileSync(new URL('../test/readmeExample.ts', import.meta.url), 'utf8')
    // The README's runnable block is test/readmeExample.ts, verbatim.
    expect(readme).toContain(example.trim())
    const log = vi.spyOn(console, 'log').mockImplementation(() => {})
    await import('../test/readmeExample.js')
    expect(log.mock.calls[0]?.[0]).toBe('success')
    expect(log.mock.calls[0]?.[1]).toMatch(/^0x[0-9a-f]{64}$/)
    expect(log.mock.calls[1]?.[0]).toBe(5n)
  })

  it('runs its sharded-state example as written', async () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
    const example = readFileSync(new URL('../test/shardedStateExample.ts', import.meta.url), 'utf8')
    expect(readme).toContain(example.trim())
    const log = vi.spyOn(console, 'log').mockImplementation(() => {})
    await import('../test/shardedStateExample.js')
    expect(log.mock.calls[0]).toEqual(['success', true])
    expect(log.mock.calls[1]?.[0]).toBe(7n)
  }, 30_000)
})
