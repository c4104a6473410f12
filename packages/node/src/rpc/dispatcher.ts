import { RpcInvalidRequestError, RpcLimitExceededError, RpcMethodNotFoundError, RpcParseError } from '../errors.js'
import { type RpcErrorObject, toRpcError } from './errorCodes.js'

/** A WebSocket connection as handlers see it: a way to push notifications and to clean up on close. */
export interface RpcConnection {
  readonly id: number
  /** Sends a JSON-RPC notification (`eth_subscription`). */
  notify(method: string, params: unknown): void
  /** Runs on close (subscriptions unsubscribe here). */
  onClose(fn: () => void): void
  /** Subscriptions open on this connection, for the per-connection limit. */
  subscriptions: Set<string>
}

export interface RpcCallContext {
  method: string
  /** Present over WebSocket, absent over HTTP. */
  connection?: RpcConnection | undefined
}

/** A JSON-RPC method implementation: positional params in, a JSON-ready result out. */
export type RpcMethod = (params: unknown[], ctx: RpcCallContext) => unknown

export interface RpcLimits {
  /** Largest request body (HTTP) or message (WebSocket), in bytes. Default 5 MiB (geth's). */
  maxBodyBytes?: number | undefined
  /** Most requests in one batch. Default 1000. */
  maxBatchLength?: number | undefined
  /** Most open subscriptions on one WebSocket connection. Default 128. */
  maxSubscriptionsPerConnection?: number | undefined
  /** Widest block range of `eth_getLogs` and log filters. Default 10,000 blocks. */
  maxLogBlockRange?: number | undefined
  /** Most logs one `eth_getLogs` returns. Default 10,000. */
  maxLogs?: number | undefined
}

/** Limits with every default filled in. */
export type ResolvedRpcLimits = { [K in keyof RpcLimits]-?: number }

export const defaultLimits: ResolvedRpcLimits = {
  maxBodyBytes: 5 * 1024 * 1024,
  maxBatchLength: 1000,
  maxSubscriptionsPerConnection: 128,
  maxLogBlockRange: 10_000,
  maxLogs: 10_000,
}

interface Response {
  jsonrpc: '2.0'
  id: string | number | null
  result?: unknown
  error?: RpcErrorObject
}

export interface RpcDispatcherConfig {
  methods: Record<string, RpcMethod>
  /** Namespaces (`debug`, `admin`) whose methods answer; every other namespace in `gated` is refused. */
  enabledNamespaces?: readonly string[] | undefined
  /** Namespaces that are off unless enabled. Default `['debug', 'admin']`. */
  gated?: readonly string[] | undefined
  limits?: RpcLimits | undefined
  /** Called with every error that is not a typed `BaseError` (bugs), for logging. */
  onInternalError?: ((err: unknown, method: string) => void) | undefined
  /** Called after each call with its method and duration, for metrics. */
  onCall?: ((method: string, ms: number, ok: boolean) => void) | undefined
}

const errorResponse = (id: Response['id'], err: unknown): Response => ({ jsonrpc: '2.0', id, error: toRpcError(err) })

/**
 * JSON-RPC 2.0 semantics independent of the transport: parsing, batches and their limit, request
 * validation, gated namespaces, and the error table. Returns the response text, or undefined when
 * the request was only notifications.
 *
 * @example
 * ```ts
 * const rpc = createRpcDispatcher({ methods: { eth_chainId: () => '0x1' } })
 * await rpc.handle('{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}') // '{"jsonrpc":"2.0","id":1,"result":"0x1"}'
 * ```
 */
export function createRpcDispatcher(config: RpcDispatcherConfig) {
  const limits: ResolvedRpcLimits = { ...defaultLimits, ...stripUndefined(config.limits ?? {}) }
  const gated = new Set(config.gated ?? ['debug', 'admin'])
  const enabled = new Set(config.enabledNamespaces ?? [])

  async function call(request: unknown, ctx: Omit<RpcCallContext, 'method'>): Promise<Response | undefined> {
    if (!request || typeof request !== 'object' || Array.isArray(request)) {
      return errorResponse(null, new RpcInvalidRequestError({ reason: 'request must be an object' }))
    }
    const r = request as Record<string, unknown>
    const hasId = 'id' in r
    const id = r.id
    const validId = id === null || typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id))
    const replyId = validId ? (id as Response['id']) : null
    if (hasId && !validId)
      return errorResponse(null, new RpcInvalidRequestError({ reason: 'id must be a string, number or null' }))
    if (r.jsonrpc !== '2.0')
      return errorResponse(replyId, new RpcInvalidRequestError({ reason: 'jsonrpc must be "2.0"' }))
    if (typeof r.method !== 'string')
      return errorResponse(replyId, new RpcInvalidRequestError({ reason: 'method must be a string' }))
    const method = r.method
    if (r.params !== undefined && !Array.isArray(r.params)) {
      return errorResponse(replyId, new RpcInvalidRequestError({ reason: 'params must be an array' }))
    }
    const params = (r.params as unknown[] | undefined) ?? []
    const started = performance.now()
    let ok = true
    let response: Response
    try {
      const ns = method.slice(0, method.indexOf('_'))
      const fn = Object.hasOwn(config.methods, method) ? config.methods[method] : undefined
      if (!fn) throw new RpcMethodNotFoundError({ method })
      if (gated.has(ns) && !enabled.has(ns)) {
        throw new RpcMethodNotFoundError({
          method,
          reason: `The ${ns} namespace is disabled; enable it with rpc.enable.`,
        })
      }
      const result = await fn(params, { ...ctx, method })
      response = { jsonrpc: '2.0', id: replyId, result: result === undefined ? null : result }
    } catch (err) {
      ok = false
      const e = errorResponse(replyId, err)
      if (e.error?.code === -32603) config.onInternalError?.(err, method)
      response = e
    }
    config.onCall?.(method, performance.now() - started, ok)
    return hasId ? response : undefined
  }

  return {
    limits,
    /** Handles one request body (a single request or a batch). */
    async handle(body: string, ctx: Omit<RpcCallContext, 'method'> = {}): Promise<string | undefined> {
      let parsed: unknown
      try {
        parsed = JSON.parse(body)
      } catch (err) {
        return JSON.stringify(errorResponse(null, new RpcParseError({ reason: (err as Error).message })))
      }
      if (Array.isArray(parsed)) {
        if (parsed.length === 0) {
          return JSON.stringify(errorResponse(null, new RpcInvalidRequestError({ reason: 'empty batch' })))
        }
        if (parsed.length > limits.maxBatchLength) {
          return JSON.stringify(
            errorResponse(
              null,
              new RpcLimitExceededError({ limit: 'batch length', max: limits.maxBatchLength, got: parsed.length }),
            ),
          )
        }
        const responses = (await Promise.all(parsed.map((r) => call(r, ctx)))).filter((r) => r !== undefined)
        return responses.length ? JSON.stringify(responses) : undefined
      }
      const response = await call(parsed, ctx)
      return response && JSON.stringify(response)
    },
  }
}

/** A JSON-RPC dispatcher. */
export type RpcDispatcher = ReturnType<typeof createRpcDispatcher>

function stripUndefined(o: RpcLimits): Partial<ResolvedRpcLimits> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined))
}
