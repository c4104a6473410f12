import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import type { AppchainNode } from '../src/index.js'
import { startNode } from './helpers.js'

let node: AppchainNode
const post = async (body: string | Uint8Array, headers: Record<string, string> = {}) => {
  const res = await fetch(node.url!, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  })
  // biome-ignore lint/suspicious/noExplicitAny: JSON-RPC responses of every shape
  const json: any = await res.json().catch(() => undefined)
  return { status: res.status, json, headers: res.headers }
}
const rpc = (method: string, params: unknown[] = [], id: number | string = 1) =>
  JSON.stringify({ jsonrpc: '2.0', id, method, params })

beforeAll(async () => {
  node = await startNode({
    rpc: {
      port: 0,
      limits: { maxBodyBytes: 64 * 1024, maxBatchLength: 20, maxSubscriptionsPerConnection: 2 },
      cors: ['https://app.example'],
      enable: ['admin'],
    },
  })
})
afterAll(async () => {
  await node?.stop()
})

const alive = async () => {
  expect((await post(rpc('eth_chainId'))).json).toEqual({ jsonrpc: '2.0', id: 1, result: '0x1092' })
}

describe('bad input over JSON-RPC gets the right error and the node stays up', () => {
  it('junk JSON -> -32700', async () => {
    for (const junk of ['{"jsonrpc":"2.0",', 'not json', '\u0000\u0001', '{"a":']) {
      const { status, json } = await post(junk)
      expect(status).toBe(200)
      expect(json.error.code).toBe(-32700)
      expect(json.id).toBeNull()
    }
    await alive()
  })

  it('invalid requests -> -32600', async () => {
    for (const body of [
      '[]',
      '"hello"',
      '{"jsonrpc":"2.0","id":1}',
      '{"id":1,"method":"eth_chainId"}',
      '{"jsonrpc":"2.0","id":{},"method":"eth_chainId"}',
    ]) {
      expect((await post(body)).json.error.code).toBe(-32600)
    }
    await alive()
  })

  it('unknown method -> -32601 with geth message; admin/debug off unless enabled', async () => {
    const { json } = await post(rpc('eth_doesNotExist'))
    expect(json.error).toMatchObject({
      code: -32601,
      message: 'the method eth_doesNotExist does not exist/is not available',
    })
    expect((await post(rpc('debug_getRawTransaction', [`0x${'0'.repeat(64)}`]))).json.error.code).toBe(-32601)
    expect((await post(rpc('admin_nodeInfo'))).json.result.name).toMatch(/^appchain/) // enabled in this test node
    await alive()
  })

  it('wrong param types -> -32602 naming the argument', async () => {
    const cases: [string, unknown[]][] = [
      ['eth_getBalance', [42]],
      ['eth_getBalance', ['0x1234']],
      ['eth_getBalance', ['0x0000000000000000000000000000000000000001', 'yesterday']],
      ['eth_getBlockByNumber', [{ nope: 1 }]],
      ['eth_getBlockByNumber', ['0x1', 'yes']],
      ['eth_getTransactionByHash', ['0xabc']],
      ['eth_sendRawTransaction', ['0xzz']],
      ['eth_call', ['not an object']],
      ['eth_getLogs', [{ topics: 'x' }]],
      ['eth_getStorageAt', ['0x0000000000000000000000000000000000000001']],
      ['eth_feeHistory', ['0x2', 'latest', [90, 10]]],
    ]
    for (const [method, params] of cases) {
      const { json } = await post(rpc(method, params))
      expect(json.error?.code, `${method} ${JSON.stringify(params)}`).toBe(-32602)
      expect(json.error.message).toMatch(/^invalid argument/)
    }
    await alive()
  })

  it('junk transactions -> -32000 with a specific message', async () => {
    for (const raw of ['0x', '0x01', '0xdeadbeef', `0x02${'ff'.repeat(40)}`, '0xc0']) {
      const { json } = await post(rpc('eth_sendRawTransaction', [raw]))
      expect(json.error.code, raw).toBe(-32000)
      expect(json.error.message.length).toBeGreaterThan(5)
    }
    await alive()
  })

  it('oversized body -> HTTP 413 with -32005', async () => {
    const big = rpc('eth_call', [{ data: `0x${'00'.repeat(40 * 1024)}` }])
    const { status, json } = await post(big)
    expect(status).toBe(413)
    expect(json.error.code).toBe(-32005)
    expect(json.error.data).toMatchObject({ limit: 'request body size', max: 65536 })
    await alive()
  })

  it('batch over the limit -> -32005; a batch under it answers each request in order', async () => {
    const over = `[${Array.from({ length: 21 }, (_, i) => rpc('eth_chainId', [], i)).join(',')}]`
    const { json } = await post(over)
    expect(json.error).toMatchObject({ code: -32005, data: { limit: 'batch length', max: 20, got: 21 } })
    const mixed = `[${rpc('eth_chainId', [], 1)},${rpc('nope', [], 2)},{"bad":true},${rpc('eth_blockNumber', [], 4)}]`
    const answers = (await post(mixed)).json
    expect(answers.map((a: { id: unknown }) => a.id)).toEqual([1, 2, null, 4])
    expect(answers.map((a: { error?: { code: number } }) => a.error?.code)).toEqual([
      undefined,
      -32601,
      -32600,
      undefined,
    ])
    await alive()
  })

  it('over WebSocket: junk, limits on subscriptions, subscriptions over HTTP refused', async () => {
    const ws = new WebSocket(node.wsUrl!)
    await new Promise((r, j) => ws.once('open', r).once('error', j))
    const replies: { id?: unknown; error?: { code: number }; result?: unknown }[] = []
    ws.on('message', (d) => replies.push(JSON.parse(d.toString())))
    const next = async (n: number) => expect.poll(() => replies.length, { timeout: 3000 }).toBeGreaterThanOrEqual(n)
    ws.send('{{{')
    await next(1)
    expect(replies[0]!.error!.code).toBe(-32700)
    ws.send(rpc('eth_subscribe', ['newHeads'], 2))
    ws.send(rpc('eth_subscribe', ['logs', { address: '0x0000000000000000000000000000000000000001' }], 3))
    ws.send(rpc('eth_subscribe', ['newPendingTransactions'], 4))
    ws.send(rpc('eth_subscribe', ['bogus'], 5))
    await next(5)
    const byId = (id: number) => replies.find((r) => r.id === id)!
    expect(byId(2).result).toMatch(/^0x[0-9a-f]{32}$/)
    expect(byId(3).result).toMatch(/^0x[0-9a-f]{32}$/)
    expect(byId(4).error!.code).toBe(-32005)
    expect(byId(5).error!.code).toBe(-32005) // still over the per-connection limit
    ws.send(rpc('eth_unsubscribe', [byId(2).result], 6))
    ws.send(rpc('eth_subscribe', ['bogus'], 7))
    await next(7)
    expect(byId(6).result).toBe(true)
    expect(byId(7).error!.code).toBe(-32602)
    ws.close()
    expect((await post(rpc('eth_subscribe', ['newHeads']))).json.error.code).toBe(-32601)
    await alive()
  })

  it('CORS: allowed origins only; metrics and health over GET', async () => {
    const ok = await post(rpc('eth_chainId'), { origin: 'https://app.example' })
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.example')
    const no = await post(rpc('eth_chainId'), { origin: 'https://evil.example' })
    expect(no.headers.get('access-control-allow-origin')).toBeNull()
    const pre = await fetch(node.url!, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-headers': 'content-type' },
    })
    expect(pre.status).toBe(204)
    expect((await fetch(`${node.url}/health`)).status).toBe(200)
    expect(await (await fetch(`${node.url}/metrics`)).text()).toContain('appchain_rpc_requests_total')
    await alive()
  })
})
