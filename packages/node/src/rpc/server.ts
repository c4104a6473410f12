import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type WebSocket, WebSocketServer } from 'ws'
import { RpcLimitExceededError } from '../errors.js'
import type { RpcConnection, RpcDispatcher } from './dispatcher.js'
import { toRpcError } from './errorCodes.js'

export interface RpcServerConfig {
  dispatcher: RpcDispatcher
  /** Default 127.0.0.1. */
  host?: string | undefined
  /** 0 picks a free port. Default 8545. */
  port?: number | undefined
  /**
   * Allowed browser origins: `true` or `'*'` for any (the devnet default), a list of origins, or `false` for none.
   */
  cors?: boolean | string | readonly string[] | undefined
  /** Extra GET routes (`/metrics`, `/health`). */
  routes?: Record<string, () => Promise<{ contentType: string; body: string }>> | undefined
  onConnection?: ((open: boolean) => void) | undefined
}

export interface RpcServer {
  host: string
  port: number
  url: string
  wsUrl: string
  close(): Promise<void>
}

function allowOrigin(cors: RpcServerConfig['cors'], origin: string | undefined): string | undefined {
  if (cors === undefined || cors === true || cors === '*') return '*'
  if (cors === false || !origin) return undefined
  const list = typeof cors === 'string' ? [cors] : cors
  return list.includes(origin) ? origin : undefined
}

/**
 * JSON-RPC over HTTP (POST /) and WebSocket (upgrade on the same port), with body-size limits, CORS,
 * and plain GET routes for metrics and health.
 *
 * @example
 * ```ts
 * const server = await startRpcServer({ dispatcher, port: 0 })
 * console.log(server.url) // http://127.0.0.1:53211
 * await server.close()
 * ```
 */
export async function startRpcServer(config: RpcServerConfig): Promise<RpcServer> {
  const { dispatcher } = config
  const maxBody = dispatcher.limits.maxBodyBytes
  const host = config.host ?? '127.0.0.1'

  const tooLarge = (got: number) =>
    JSON.stringify({
      jsonrpc: '2.0',
      id: null,
      error: toRpcError(new RpcLimitExceededError({ limit: 'request body size', max: maxBody, got })),
    })

  async function onRequest(req: IncomingMessage, res: ServerResponse) {
    const origin = allowOrigin(config.cors, req.headers.origin)
    if (origin) {
      res.setHeader('Access-Control-Allow-Origin', origin)
      if (origin !== '*') res.setHeader('Vary', 'Origin')
    }
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'Access-Control-Allow-Methods': 'POST, GET, OPTIONS',
        'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] ?? 'content-type',
        'Access-Control-Max-Age': '600',
      })
      res.end()
      return
    }
    const path = (req.url ?? '/').split('?')[0] ?? '/'
    if (req.method === 'GET') {
      const route = config.routes?.[path]
      if (!route) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found')
        return
      }
      const { contentType, body } = await route()
      res.writeHead(200, { 'content-type': contentType }).end(body)
      return
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST, GET, OPTIONS', 'content-type': 'text/plain' }).end('method not allowed')
      return
    }
    const declared = Number(req.headers['content-length'] ?? 0)
    if (declared > maxBody) {
      // Answer without reading the body, then drop the connection so the client stops sending.
      res.writeHead(413, { 'content-type': 'application/json', connection: 'close' }).end(tooLarge(declared))
      req.destroy()
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length
      if (size > maxBody) {
        res.writeHead(413, { 'content-type': 'application/json', connection: 'close' }).end(tooLarge(size))
        req.destroy()
        return
      }
      chunks.push(chunk)
    }
    const out = await dispatcher.handle(Buffer.concat(chunks).toString('utf8'))
    if (out === undefined) {
      res.writeHead(204).end()
      return
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(out)
  }

  const server = createServer((req, res) => {
    onRequest(req, res).catch((err) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ jsonrpc: '2.0', id: null, error: toRpcError(err) }))
    })
  })
  server.keepAliveTimeout = 30_000

  const wss = new WebSocketServer({ noServer: true, maxPayload: maxBody })
  let nextConnectionId = 1
  wss.on('connection', (ws: WebSocket) => {
    config.onConnection?.(true)
    const closers: (() => void)[] = []
    const connection: RpcConnection = {
      id: nextConnectionId++,
      subscriptions: new Set(),
      notify(method, params) {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ jsonrpc: '2.0', method, params }))
      },
      onClose(fn) {
        closers.push(fn)
      },
    }
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? Buffer.from(data as Buffer).toString('utf8') : data.toString()
      dispatcher
        .handle(text, { connection })
        .then((out) => {
          if (out !== undefined && ws.readyState === ws.OPEN) ws.send(out)
        })
        .catch(() => {})
    })
    ws.on('error', () => {})
    ws.on('close', () => {
      config.onConnection?.(false)
      for (const fn of closers.splice(0)) fn()
    })
  })
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => {})
    const origin = req.headers.origin
    if (origin && config.cors !== undefined && !allowOrigin(config.cors, origin)) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n')
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req))
  })
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\n\r\n')
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(config.port ?? 8545, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  const hostForUrl = host.includes(':') ? `[${host}]` : host
  return {
    host,
    port,
    url: `http://${hostForUrl}:${port}`,
    wsUrl: `ws://${hostForUrl}:${port}`,
    async close() {
      for (const ws of wss.clients) ws.terminate()
      wss.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
