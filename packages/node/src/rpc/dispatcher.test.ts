import { NonceTooLowError } from '@appchain/core'
import { describe, expect, it } from 'vitest'
import { createRpcDispatcher } from './dispatcher.js'
import { quantity } from './params.js'

const rpc = createRpcDispatcher({
  methods: {
    eth_chainId: () => '0x1',
    eth_getBalance: (p) => `0x${quantity(p[0], 0).toString(16)}`,
    eth_sendRawTransaction: () => {
      throw new NonceTooLowError({ address: '0xabc', nonce: 1n, expected: 3n })
    },
    debug_secret: () => 'hidden',
    eth_boom: () => {
      throw new Error('bug')
    },
  },
  limits: { maxBatchLength: 3 },
})
const call = async (body: string) => JSON.parse((await rpc.handle(body))!)

describe('createRpcDispatcher', () => {
  it('answers a request and a batch, in order, skipping notifications', async () => {
    expect(await call('{"jsonrpc":"2.0","id":7,"method":"eth_chainId"}')).toEqual({
      jsonrpc: '2.0',
      id: 7,
      result: '0x1',
    })
    const batch = await call(
      JSON.stringify([
        { jsonrpc: '2.0', id: 'a', method: 'eth_chainId' },
        { jsonrpc: '2.0', method: 'eth_chainId' },
        { jsonrpc: '2.0', id: 'b', method: 'nope' },
      ]),
    )
    expect(batch).toEqual([
      { jsonrpc: '2.0', id: 'a', result: '0x1' },
      {
        jsonrpc: '2.0',
        id: 'b',
        error: { code: -32601, message: 'the method nope does not exist/is not available', data: { method: 'nope' } },
      },
    ])
  })

  it('maps junk to parse / invalid request errors', async () => {
    expect((await call('{"jsonrpc":')).error.code).toBe(-32700)
    expect((await call('[]')).error.code).toBe(-32600)
    expect((await call('42')).error.code).toBe(-32600)
    expect((await call('{"jsonrpc":"1.0","id":1,"method":"eth_chainId"}')).error.code).toBe(-32600)
    expect((await call('{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":{"a":1}}')).error.code).toBe(-32600)
    expect((await call('[1]'))[0].error.code).toBe(-32600)
  })

  it('refuses wrong param types with -32602 and the argument index', async () => {
    const res = await call('{"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":[42]}')
    expect(res.error.code).toBe(-32602)
    expect(res.error.message).toBe('invalid argument 0: quantity must be a hex quantity, got 42')
  })

  it('uses geth messages and -32000 for refused transactions, with the values in data', async () => {
    const res = await call('{"jsonrpc":"2.0","id":1,"method":"eth_sendRawTransaction","params":["0x"]}')
    expect(res.error).toEqual({
      code: -32000,
      message: 'nonce too low: address 0xabc, tx: 1 state: 3',
      data: { address: '0xabc', nonce: '0x1', expected: '0x3' },
    })
  })

  it('keeps debug_ off unless enabled, and hides internal errors', async () => {
    expect((await call('{"jsonrpc":"2.0","id":1,"method":"debug_secret"}')).error.code).toBe(-32601)
    const on = createRpcDispatcher({ methods: { debug_secret: () => 'shown' }, enabledNamespaces: ['debug'] })
    expect(JSON.parse((await on.handle('{"jsonrpc":"2.0","id":1,"method":"debug_secret"}'))!).result).toBe('shown')
    expect((await call('{"jsonrpc":"2.0","id":1,"method":"eth_boom"}')).error).toEqual({
      code: -32603,
      message: 'internal error',
    })
  })

  it('refuses a batch over the limit with -32005', async () => {
    const body = JSON.stringify(Array.from({ length: 4 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'eth_chainId' })))
    const res = await call(body)
    expect(res.error.code).toBe(-32005)
    expect(res.error.data).toEqual({ limit: 'batch length', max: 3, got: 4 })
  })
})
