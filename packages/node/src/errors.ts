import { BaseError } from '@appchain/core'

/** The request body is not valid JSON (JSON-RPC -32700). */
export class RpcParseError extends BaseError {
  override name = 'RpcParseError'
  constructor(args: { reason: string }) {
    super(`parse error: ${args.reason}`, { data: args })
  }
}

/** The JSON is not a valid JSON-RPC request object (-32600). */
export class RpcInvalidRequestError extends BaseError {
  override name = 'RpcInvalidRequestError'
  constructor(args: { reason: string }) {
    super(`invalid request: ${args.reason}`, { data: args })
  }
}

/** Unknown method, or a method of a namespace that is not enabled (-32601), in geth's words. */
export class RpcMethodNotFoundError extends BaseError {
  override name = 'RpcMethodNotFoundError'
  constructor(args: { method: string; reason?: string | undefined }) {
    super(`the method ${args.method} does not exist/is not available`, {
      data: args,
      metaMessages: args.reason ? [args.reason] : undefined,
    })
  }
}

/** A parameter of the wrong type, shape or range (-32602). */
export class RpcInvalidParamsError extends BaseError {
  override name = 'RpcInvalidParamsError'
  constructor(args: { method?: string | undefined; index?: number | undefined; reason: string }) {
    super(`invalid argument${args.index === undefined ? '' : ` ${args.index}`}: ${args.reason}`, { data: args })
  }
}

/** A request over a configured limit: body size, batch length, subscriptions, block range (-32005). */
export class RpcLimitExceededError extends BaseError {
  override name = 'RpcLimitExceededError'
  constructor(args: { limit: string; max: number; got: number }) {
    super(`${args.limit} exceeds the limit: ${args.got} > ${args.max}`, { data: args })
  }
}

/** A filter or subscription id that does not exist (or expired) (-32000, geth's `filter not found`). */
export class FilterNotFoundError extends BaseError {
  override name = 'FilterNotFoundError'
  constructor(args: { id: string }) {
    super('filter not found', { data: args })
  }
}

/** The node's configuration is unusable (bad port, missing VM, unknown namespace). */
export class NodeConfigError extends BaseError {
  override name = 'NodeConfigError'
  constructor(args: { field: string; reason: string }) {
    super(`Invalid node config: ${args.field} ${args.reason}`, { data: args })
  }
}

/** The data directory holds a chain with another chain id or genesis than the config. */
export class GenesisMismatchError extends BaseError {
  override name = 'GenesisMismatchError'
  constructor(args: { field: string; stored: string; configured: string }) {
    super(`The data directory holds another chain: ${args.field} is ${args.stored}, config says ${args.configured}.`, {
      data: args,
    })
  }
}

/** The node has been stopped; no more requests are served. */
export class NodeStoppedError extends BaseError {
  override name = 'NodeStoppedError'
  constructor() {
    super('The node is stopped.')
  }
}
