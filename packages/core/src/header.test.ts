import { describe, expect, it } from 'vitest'
import { logsBloom } from './bloom.js'
import { hashHeader } from './header.js'
import type { BlockHeader } from './types.js'

describe('hashHeader', () => {
  it('commits to every field, the L1 origin included', () => {
    const header: BlockHeader = {
      parentHash: '0xe22c56f211f03baadcc91e4eb9a24344e6848c5a43ce3d7d5b4cb2ae8f2fe8ec',
      coinbase: '0x388c818ca8b9251b393131c08a736a67ccb19297',
      stateRoot: '0x7fd42f5027a7eb8573c9e6582b1e2d38c5f4f6dc6cbd1b2ad4a7d8b9e5d4e3f1',
      transactionsRoot: '0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421',
      receiptsRoot: '0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421',
      withdrawalsRoot: '0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421',
      logsBloom: `0x${'00'.repeat(256)}`,
      number: 1n,
      gasLimit: 30_000_000n,
      gasUsed: 0n,
      timestamp: 1n,
      extraData: '0x',
      prevRandao: '0x0000000000000000000000000000000000000000000000000000000000000000',
      baseFeePerGas: 7n,
    }
    const h1 = hashHeader(header)
    expect(h1).toMatch(/^0x[0-9a-f]{64}$/)
    // Any field change changes the hash; the L1 origin is committed too.
    expect(hashHeader({ ...header, gasUsed: 1n })).not.toBe(h1)
    expect(hashHeader({ ...header, l1Origin: { number: 5n, hash: header.parentHash } })).not.toBe(h1)
  })
})

describe('logsBloom', () => {
  it('sets three bits per item and is empty for no logs', () => {
    expect(logsBloom([])).toBe(`0x${'00'.repeat(256)}`)
    const bloom = logsBloom([{ address: '0x0000000000000000000000000000000000000001', topics: [], data: '0x' }])
    const bits = [...Buffer.from(bloom.slice(2), 'hex')].reduce(
      (n, b) => n + b.toString(2).replaceAll('0', '').length,
      0,
    )
    expect(bits).toBeGreaterThanOrEqual(1)
    expect(bits).toBeLessThanOrEqual(3)
  })
})
