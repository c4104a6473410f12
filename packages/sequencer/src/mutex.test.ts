import { describe, expect, it } from 'vitest'
import { createMutex } from './mutex.js'

describe('createMutex', () => {
  it('never runs two sections at once, keeps call order, and lets runFirst jump the queue', async () => {
    const lock = createMutex()
    const log: string[] = []
    let inside = 0
    const section = (name: string) => async () => {
      inside++
      expect(inside).toBe(1)
      log.push(`${name}:in`)
      await new Promise((r) => setTimeout(r, 2))
      log.push(`${name}:out`)
      inside--
      return name
    }
    const all = [lock.run(section('a')), lock.run(section('b')), lock.run(section('c'))]
    all.push(lock.runFirst(section('urgent')))
    expect(await Promise.all(all)).toEqual(['a', 'b', 'c', 'urgent'])
    expect(log).toEqual(['a:in', 'a:out', 'urgent:in', 'urgent:out', 'b:in', 'b:out', 'c:in', 'c:out'])
    expect(lock.busy).toBe(false)
  })

  it('a throwing section rejects its caller and releases the lock', async () => {
    const lock = createMutex()
    await expect(lock.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
    expect(await lock.run(() => 7)).toBe(7)
  })
})
