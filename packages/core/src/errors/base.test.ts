import { describe, expect, it } from 'vitest'
import { BaseError } from './base.js'
import { NonceTooLowError } from './tx.js'

describe('BaseError', () => {
  it('formats shortMessage, metaMessages and details', () => {
    const err = new BaseError('Something failed.', { metaMessages: ['Block: 1'], details: 'disk full' })
    expect(err.shortMessage).toBe('Something failed.')
    expect(err.message).toBe('Something failed.\n\nBlock: 1\n\nDetails: disk full')
  })

  it('takes details from its cause and walks the chain', () => {
    const root = new Error('socket hang up')
    const mid = new BaseError('DA submit failed.', { cause: root })
    const top = new BaseError('Batcher stalled.', { cause: mid })
    expect(top.details).toBe('socket hang up')
    expect(top.walk()).toBe(root)
    expect(top.walk((e) => e instanceof BaseError && e.shortMessage.startsWith('DA'))).toBe(mid)
    expect(top.walk((e) => e instanceof TypeError)).toBeNull()
  })

  it('subclasses carry the values involved and geth-compatible messages', () => {
    const err = new NonceTooLowError({ address: '0xabc', nonce: 1n, expected: 3n })
    expect(err).toBeInstanceOf(BaseError)
    expect(err.name).toBe('NonceTooLowError')
    expect(err.shortMessage.startsWith('nonce too low')).toBe(true)
    expect(err.data).toEqual({ address: '0xabc', nonce: 1n, expected: 3n })
  })
})
