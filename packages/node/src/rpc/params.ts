import type { Address, CallRequest, Hex } from '@appchain/core'
import { RpcInvalidParamsError } from '../errors.js'

const QUANTITY = /^0x[0-9a-f]{1,64}$/i
const ADDRESS = /^0x[0-9a-f]{40}$/i
const HASH = /^0x[0-9a-f]{64}$/i
const DATA = /^0x(?:[0-9a-f]{2})*$/i

const fail = (index: number, reason: string): never => {
  throw new RpcInvalidParamsError({ index, reason })
}
const show = (v: unknown) => {
  const s = typeof v === 'string' ? JSON.stringify(v) : typeof v === 'object' ? JSON.stringify(v) : String(v)
  return s === undefined ? 'undefined' : s.length > 80 ? `${s.slice(0, 77)}...` : s
}

/** A 0x quantity (`0x1a`) as a bigint. */
export function quantity(v: unknown, index: number, name = 'quantity'): bigint {
  if (typeof v !== 'string' || !QUANTITY.test(v)) return fail(index, `${name} must be a hex quantity, got ${show(v)}`)
  return BigInt(v)
}

/** A 20-byte address, lower-cased. */
export function address(v: unknown, index: number, name = 'address'): Address {
  if (typeof v !== 'string' || !ADDRESS.test(v))
    return fail(index, `${name} must be a 20-byte hex address, got ${show(v)}`)
  return v.toLowerCase() as Address
}

/** A 32-byte hash, lower-cased. */
export function hash32(v: unknown, index: number, name = 'hash'): Hex {
  if (typeof v !== 'string' || !HASH.test(v)) return fail(index, `${name} must be a 32-byte hex string, got ${show(v)}`)
  return v.toLowerCase() as Hex
}

/** 0x-prefixed bytes of even length. */
export function data(v: unknown, index: number, name = 'data'): Hex {
  if (typeof v !== 'string' || !DATA.test(v))
    return fail(index, `${name} must be 0x-prefixed hex bytes, got ${show(v)}`)
  return v.toLowerCase() as Hex
}

/** A storage slot: any quantity up to 32 bytes, as 32-byte hex. */
export function slot(v: unknown, index: number): Hex {
  const n = quantity(v, index, 'storage slot')
  return `0x${n.toString(16).padStart(64, '0')}` as Hex
}

export function bool(v: unknown, index: number, name = 'flag'): boolean {
  if (v === undefined) return false
  if (typeof v !== 'boolean') return fail(index, `${name} must be a boolean, got ${show(v)}`)
  return v
}

/** What a block parameter names: a tag, a number, or a hash (EIP-1898). */
export type BlockSelector =
  | { tag: 'latest' | 'pending' | 'safe' | 'finalized' | 'earliest' }
  | { number: bigint }
  | { hash: Hex }

const TAGS = new Set(['latest', 'pending', 'safe', 'finalized', 'earliest'])

/** A block parameter; `undefined` means `latest`. */
export function blockParam(v: unknown, index: number): BlockSelector {
  if (v === undefined || v === null) return { tag: 'latest' }
  if (typeof v === 'string') {
    if (TAGS.has(v)) return { tag: v as 'latest' }
    return { number: quantity(v, index, 'block number or tag') }
  }
  if (typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>
    if (o.blockHash !== undefined) return { hash: hash32(o.blockHash, index, 'blockHash') }
    if (o.blockNumber !== undefined) return blockParam(o.blockNumber, index)
  }
  return fail(index, `block must be a tag, a hex number or { blockHash }, got ${show(v)}`)
}

const obj = (v: unknown, index: number, name: string): Record<string, unknown> => {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return fail(index, `${name} must be an object, got ${show(v)}`)
  return v as Record<string, unknown>
}

/** A call/transaction object (`eth_call`, `eth_estimateGas`). */
export function callRequest(v: unknown, index: number): CallRequest & { nonce?: bigint | undefined } {
  const o = obj(v, index, 'transaction')
  const out: CallRequest & { nonce?: bigint | undefined } = {}
  if (o.from != null) out.from = address(o.from, index, 'from')
  if (o.to != null) out.to = address(o.to, index, 'to')
  const input = o.input ?? o.data
  if (input != null) out.data = data(input, index, 'input')
  if (o.value != null) out.value = quantity(o.value, index, 'value')
  if (o.gas != null) out.gas = quantity(o.gas, index, 'gas')
  if (o.gasPrice != null) out.gasPrice = quantity(o.gasPrice, index, 'gasPrice')
  if (o.maxFeePerGas != null) out.maxFeePerGas = quantity(o.maxFeePerGas, index, 'maxFeePerGas')
  if (o.maxPriorityFeePerGas != null) {
    out.maxPriorityFeePerGas = quantity(o.maxPriorityFeePerGas, index, 'maxPriorityFeePerGas')
  }
  if (o.nonce != null) out.nonce = quantity(o.nonce, index, 'nonce')
  return out
}

/** geth's state override set: per address, balance/nonce/code and either `state` (replace) or `stateDiff`. */
export interface AccountOverride {
  balance?: bigint | undefined
  nonce?: bigint | undefined
  code?: Hex | undefined
  state?: Record<Hex, Hex> | undefined
  stateDiff?: Record<Hex, Hex> | undefined
}

export function stateOverrides(v: unknown, index: number): Map<Address, AccountOverride> {
  const out = new Map<Address, AccountOverride>()
  if (v === undefined || v === null) return out
  for (const [addr, raw] of Object.entries(obj(v, index, 'state override'))) {
    const o = obj(raw, index, `override of ${addr}`)
    const entry: AccountOverride = {}
    if (o.balance != null) entry.balance = quantity(o.balance, index, 'balance')
    if (o.nonce != null) entry.nonce = quantity(o.nonce, index, 'nonce')
    if (o.code != null) entry.code = data(o.code, index, 'code')
    if (o.state != null && o.stateDiff != null) fail(index, `override of ${addr} has both state and stateDiff`)
    for (const field of ['state', 'stateDiff'] as const) {
      if (o[field] == null) continue
      const slots: Record<Hex, Hex> = {}
      for (const [k, val] of Object.entries(obj(o[field], index, field)))
        slots[slot(k, index)] = hash32(val, index, 'slot value')
      entry[field] = slots
    }
    out.set(address(addr, index), entry)
  }
  return out
}

/** A log filter (`eth_getLogs`, `eth_newFilter`). */
export interface FilterParams {
  fromBlock: BlockSelector
  toBlock: BlockSelector
  blockHash?: Hex | undefined
  addresses: Address[]
  topics: (Hex | Hex[] | null)[]
}

export function filterParams(v: unknown, index: number): FilterParams {
  const o = v === undefined ? {} : obj(v, index, 'filter')
  const addresses =
    o.address == null
      ? []
      : Array.isArray(o.address)
        ? o.address.map((a) => address(a, index))
        : [address(o.address, index)]
  if (o.topics != null && !Array.isArray(o.topics)) fail(index, 'topics must be an array')
  const topics = ((o.topics as unknown[] | undefined) ?? []).map((t) =>
    t == null ? null : Array.isArray(t) ? t.map((x) => hash32(x, index, 'topic')) : hash32(t, index, 'topic'),
  )
  if (topics.length > 4) fail(index, `at most 4 topic positions, got ${topics.length}`)
  if (o.blockHash != null && (o.fromBlock != null || o.toBlock != null)) {
    fail(index, 'blockHash cannot be combined with fromBlock/toBlock')
  }
  return {
    fromBlock: blockParam(o.fromBlock ?? 'latest', index),
    toBlock: blockParam(o.toBlock ?? 'latest', index),
    blockHash: o.blockHash == null ? undefined : hash32(o.blockHash, index, 'blockHash'),
    addresses,
    topics,
  }
}

/** Checks the number of params: at least `min`, at most `max`. */
export function arity(params: unknown[], min: number, max = min): void {
  if (params.length < min) fail(params.length, `missing value for required argument ${params.length}`)
  if (params.length > max) fail(max, `too many arguments, want at most ${max}`)
}
