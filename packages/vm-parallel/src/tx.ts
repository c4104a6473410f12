import type { Address, Hex, RlpInput } from '@appchain/core'
import {
  bigintToBytes,
  bytesToBigint,
  bytesToHex,
  ChainIdMismatchError,
  concatBytes,
  hexToBytes,
  IntrinsicGasTooLowError,
  InvalidSignatureError,
  InvalidTransactionEncodingError,
  rlpDecode,
  rlpEncode,
  TipAboveFeeCapError,
  TransactionTooLargeError,
} from '@appchain/core'
import { keccak256 } from '@appchain/state'
import { fastHexToBytes } from './hex.js'

/** EIP-2718-style type byte of parallel VM transactions ('p'). */
export const PARALLEL_TX_TYPE = 0x70
/** Default largest encoded transaction. */
export const MAX_TX_SIZE = 16_384
/** Most accounts a transaction may declare. */
export const MAX_DECLARED_ACCOUNTS = 64

export type TxArgType = 'address' | 'uint256' | 'int256' | 'bool' | 'string' | 'bytes32'
export type TxArgValue = Address | Hex | bigint | boolean | string

/** What a client needs to know of a method to build and sign a call (served by `appchain_getPrograms`). */
export interface MethodSchema {
  program: string
  method: string
  args: [name: string, type: TxArgType][]
  gas: { base: bigint; perByte: bigint; perAccount: bigint }
}

/** An unsigned parallel VM transaction. */
export interface ParallelTxRequest {
  chainId: bigint
  program: string
  method: string
  args: Record<string, TxArgValue>
  reads: Address[]
  writes: Address[]
  nonce: bigint
  gasLimit: bigint
  maxFeePerGas: bigint
  maxPriorityFeePerGas: bigint
}

/** The fields of a decoded (not yet verified) transaction. */
export interface DecodedFields extends ParallelTxRequest {
  /** Arguments in schema order as the sandbox receives them (uints as decimal strings). */
  argsJson: string
  signature: Uint8Array
}

const enc = new TextEncoder()
const dec = new TextDecoder('utf-8', { fatal: true })
const SECP_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
const MAX_UINT256 = (1n << 256n) - 1n
const MAX_UINT64 = (1n << 64n) - 1n
const ADDRESS = /^0x[0-9a-fA-F]{40}$/
const BYTES32 = /^0x[0-9a-fA-F]{64}$/

const TX_FIELDS = [
  { name: 'program', type: 'string' },
  { name: 'method', type: 'string' },
  { name: 'args', type: 'Args' },
  { name: 'reads', type: 'address[]' },
  { name: 'writes', type: 'address[]' },
  { name: 'nonce', type: 'uint64' },
  { name: 'gasLimit', type: 'uint64' },
  { name: 'maxFeePerGas', type: 'uint256' },
  { name: 'maxPriorityFeePerGas', type: 'uint256' },
] as const

/**
 * The EIP-712 typed data of a transaction, for viem's `signTypedData` (any Ethereum wallet can sign it;
 * the arguments show as a typed `Args` struct).
 *
 * @example
 * ```ts
 * const signature = await account.signTypedData(typedDataOf(request, schema))
 * ```
 */
export function typedDataOf(request: ParallelTxRequest, schema: MethodSchema) {
  checkRequest(request, schema)
  const args: Record<string, TxArgValue> = {}
  for (const [name, type] of schema.args)
    args[name] = type === 'address' ? (request.args[name] as string).toLowerCase() : request.args[name]!
  return {
    domain: { name: 'appchain', version: '1', chainId: request.chainId },
    types: {
      Transaction: TX_FIELDS.map((f) => ({ ...f })),
      Args: schema.args.map(([name, type]) => ({ name, type })),
    },
    primaryType: 'Transaction' as const,
    message: {
      program: request.program,
      method: request.method,
      args,
      reads: request.reads.map((a) => a.toLowerCase() as Address),
      writes: request.writes.map((a) => a.toLowerCase() as Address),
      nonce: request.nonce,
      gasLimit: request.gasLimit,
      maxFeePerGas: request.maxFeePerGas,
      maxPriorityFeePerGas: request.maxPriorityFeePerGas,
    },
  }
}

const typeHashes = new Map<string, { tx: Uint8Array; args: Uint8Array }>()
const domainSeps = new Map<bigint, Uint8Array>()

function typeHashesOf(schema: MethodSchema) {
  const argsType = `Args(${schema.args.map(([n, t]) => `${t} ${n}`).join(',')})`
  let h = typeHashes.get(argsType)
  if (!h) {
    const txType = `Transaction(${TX_FIELDS.map((f) => `${f.type} ${f.name}`).join(',')})`
    h = { tx: keccak256(enc.encode(txType + argsType)), args: keccak256(enc.encode(argsType)) }
    typeHashes.set(argsType, h)
  }
  return h
}

function domainSeparator(chainId: bigint): Uint8Array {
  let d = domainSeps.get(chainId)
  if (!d) {
    d = keccak256(
      concatBytes(
        keccak256(enc.encode('EIP712Domain(string name,string version,uint256 chainId)')),
        keccak256(enc.encode('appchain')),
        keccak256(enc.encode('1')),
        word(chainId),
      ),
    )
    domainSeps.set(chainId, d)
  }
  return d
}

function word(v: bigint): Uint8Array {
  const out = new Uint8Array(32)
  let x = v < 0n ? (1n << 256n) + v : v
  for (let i = 31; i >= 0 && x > 0n; i--) {
    out[i] = Number(x & 0xffn)
    x >>= 8n
  }
  return out
}

function addressWord(a: string): Uint8Array {
  const out = new Uint8Array(32)
  out.set(fastHexToBytes(a), 12)
  return out
}

const textHashes = new Map<string, Uint8Array>()
/** keccak256 of a short string (program ids, method names), memoised. */
function textHash(s: string): Uint8Array {
  let h = textHashes.get(s)
  if (!h) {
    h = keccak256(enc.encode(s))
    if (textHashes.size < 4096) textHashes.set(s, h)
  }
  return h
}
const EMPTY_LIST_HASH = keccak256(new Uint8Array())

/**
 * The EIP-712 digest a transaction's signature signs (what viem's `hashTypedData(typedDataOf(...))` returns,
 * computed directly for speed).
 *
 * @example
 * ```ts
 * const digest = signingDigest(request, schema) // Uint8Array(32)
 * ```
 */
export function signingDigest(request: ParallelTxRequest, schema: MethodSchema): Uint8Array {
  const th = typeHashesOf(schema)
  const argWords: Uint8Array[] = [th.args]
  for (const [name, type] of schema.args) {
    const v = request.args[name]
    if (type === 'address') argWords.push(addressWord(v as string))
    else if (type === 'uint256' || type === 'int256') argWords.push(word(v as bigint))
    else if (type === 'bool') argWords.push(word(v ? 1n : 0n))
    else if (type === 'string') argWords.push(keccak256(enc.encode(v as string)))
    else argWords.push(hexToBytes(v as string))
  }
  const struct = keccak256(
    concatBytes(
      th.tx,
      textHash(request.program),
      textHash(request.method),
      keccak256(concatBytes(...argWords)),
      request.reads.length ? keccak256(concatBytes(...request.reads.map(addressWord))) : EMPTY_LIST_HASH,
      request.writes.length ? keccak256(concatBytes(...request.writes.map(addressWord))) : EMPTY_LIST_HASH,
      word(request.nonce),
      word(request.gasLimit),
      word(request.maxFeePerGas),
      word(request.maxPriorityFeePerGas),
    ),
  )
  return keccak256(concatBytes(new Uint8Array([0x19, 0x01]), domainSeparator(request.chainId), struct))
}

/** The static gas of a call: base + per byte of the encoding + per declared account. */
export function intrinsicGas(schema: MethodSchema, size: number, accounts: number): bigint {
  return schema.gas.base + schema.gas.perByte * BigInt(size) + schema.gas.perAccount * BigInt(accounts)
}

function checkRequest(r: ParallelTxRequest, schema: MethodSchema): void {
  if (r.program !== schema.program || r.method !== schema.method) {
    throw new TypeError(`Schema is for ${schema.program}.${schema.method}, request calls ${r.program}.${r.method}`)
  }
  for (const [name, type] of schema.args) {
    const v = r.args[name]
    const ok =
      type === 'address'
        ? typeof v === 'string' && ADDRESS.test(v)
        : type === 'uint256'
          ? typeof v === 'bigint' && v >= 0n && v <= MAX_UINT256
          : type === 'int256'
            ? typeof v === 'bigint' && v >= -(1n << 255n) && v < 1n << 255n
            : type === 'bool'
              ? typeof v === 'boolean'
              : type === 'string'
                ? typeof v === 'string'
                : typeof v === 'string' && BYTES32.test(v)
    if (!ok) throw new TypeError(`Argument ${name} of ${r.program}.${r.method} must be ${type}`)
  }
  for (const a of [...r.reads, ...r.writes]) if (!ADDRESS.test(a)) throw new TypeError(`Invalid declared account ${a}`)
  for (const [k, v] of [
    ['nonce', r.nonce],
    ['gasLimit', r.gasLimit],
  ] as const) {
    if (v < 0n || v > MAX_UINT64) throw new RangeError(`${k} out of range: ${v}`)
  }
}

function encodeArg(type: TxArgType, v: TxArgValue): Uint8Array {
  switch (type) {
    case 'address':
      return hexToBytes(v as string)
    case 'uint256':
      return bigintToBytes(v as bigint)
    case 'int256':
      return word(v as bigint)
    case 'bool':
      return v ? new Uint8Array([1]) : new Uint8Array()
    case 'string':
      return enc.encode(v as string)
    case 'bytes32':
      return hexToBytes(v as string)
  }
}

/**
 * The raw transaction: `0x70 || rlp([chainId, program, method, args, reads, writes, nonce, gasLimit,
 * maxFeePerGas, maxPriorityFeePerGas, signature])` with a 65-byte `r || s || v` signature.
 *
 * @example
 * ```ts
 * const raw = encodeTransaction(request, schema, await account.signTypedData(typedDataOf(request, schema)))
 * ```
 */
export function encodeTransaction(request: ParallelTxRequest, schema: MethodSchema, signature: Hex): Uint8Array {
  checkRequest(request, schema)
  const sig = hexToBytes(signature)
  if (sig.length !== 65) throw new TypeError(`Signature must be 65 bytes, got ${sig.length}`)
  const body = rlpEncode([
    bigintToBytes(request.chainId),
    enc.encode(request.program),
    enc.encode(request.method),
    schema.args.map(([name, type]) => encodeArg(type, request.args[name]!)),
    request.reads.map((a) => hexToBytes(a)),
    request.writes.map((a) => hexToBytes(a)),
    bigintToBytes(request.nonce),
    bigintToBytes(request.gasLimit),
    bigintToBytes(request.maxFeePerGas),
    bigintToBytes(request.maxPriorityFeePerGas),
    sig,
  ])
  return concatBytes(new Uint8Array([PARALLEL_TX_TYPE]), body)
}

function uint(b: RlpInput | undefined, field: string, max = MAX_UINT256): bigint {
  if (!(b instanceof Uint8Array)) throw new InvalidTransactionEncodingError(`${field} is not a byte string`)
  if (b.length > 0 && b[0] === 0) throw new InvalidTransactionEncodingError(`${field} has leading zeros`)
  if (b.length > 32) throw new InvalidTransactionEncodingError(`${field} is longer than 32 bytes`)
  const v = bytesToBigint(b)
  if (v > max) throw new InvalidTransactionEncodingError(`${field} out of range`)
  return v
}

function text(b: RlpInput | undefined, field: string): string {
  if (!(b instanceof Uint8Array)) throw new InvalidTransactionEncodingError(`${field} is not a byte string`)
  try {
    return dec.decode(b)
  } catch {
    throw new InvalidTransactionEncodingError(`${field} is not UTF-8`)
  }
}

function addresses(b: RlpInput | undefined, field: string): Address[] {
  if (!Array.isArray(b)) throw new InvalidTransactionEncodingError(`${field} is not a list`)
  const out = b.map((x) => {
    if (!(x instanceof Uint8Array) || x.length !== 20)
      throw new InvalidTransactionEncodingError(`${field} holds a non-address`)
    return bytesToHex(x) as Address
  })
  if (new Set(out).size !== out.length) throw new InvalidTransactionEncodingError(`${field} lists an account twice`)
  return out
}

/**
 * Decodes and checks a raw transaction statelessly (size, encoding, chain id, schema, gas, signature shape).
 * `schemaOf` resolves program and method (it throws the VM's not-found errors). Does not recover the sender.
 *
 * @example
 * ```ts
 * const fields = decodeTransaction(raw, { chainId: 4242n, schemaOf })
 * ```
 */
export function decodeTransaction(
  raw: Uint8Array,
  opts: { chainId: bigint; schemaOf: (program: string, method: string) => MethodSchema; maxSize?: number | undefined },
): DecodedFields & { schema: MethodSchema; intrinsicGas: bigint } {
  const max = opts.maxSize ?? MAX_TX_SIZE
  if (raw.length > max) throw new TransactionTooLargeError({ size: raw.length, max })
  if (raw.length < 2 || raw[0] !== PARALLEL_TX_TYPE) {
    throw new InvalidTransactionEncodingError(raw.length === 0 ? 'empty input' : `type byte ${raw[0]} is not 0x70`)
  }
  let items: RlpInput
  try {
    items = rlpDecode(raw.subarray(1))
  } catch (e) {
    throw new InvalidTransactionEncodingError('bad RLP', { cause: e })
  }
  if (!Array.isArray(items) || items.length !== 11)
    throw new InvalidTransactionEncodingError('expected a list of 11 fields')
  const chainId = uint(items[0], 'chainId')
  if (chainId !== opts.chainId) throw new ChainIdMismatchError({ expected: opts.chainId, got: chainId })
  const program = text(items[1], 'program')
  const method = text(items[2], 'method')
  const schema = opts.schemaOf(program, method)
  const rawArgs = items[3]
  if (!Array.isArray(rawArgs) || rawArgs.length !== schema.args.length) {
    throw new InvalidTransactionEncodingError(`${program}.${method} takes ${schema.args.length} arguments`)
  }
  const args: Record<string, TxArgValue> = {}
  const json: (string | boolean)[] = []
  schema.args.forEach(([name, type], i) => {
    const b = rawArgs[i]
    if (!(b instanceof Uint8Array)) throw new InvalidTransactionEncodingError(`argument ${name} is not a byte string`)
    switch (type) {
      case 'address': {
        if (b.length !== 20) throw new InvalidTransactionEncodingError(`argument ${name} is not an address`)
        const v = bytesToHex(b)
        args[name] = v
        json.push(v)
        break
      }
      case 'uint256': {
        const v = uint(b, `argument ${name}`)
        args[name] = v
        json.push(v.toString())
        break
      }
      case 'int256': {
        if (b.length !== 32) throw new InvalidTransactionEncodingError(`argument ${name} is not a 32-byte int256`)
        let v = bytesToBigint(b)
        if (v >= 1n << 255n) v -= 1n << 256n
        args[name] = v
        json.push(v.toString())
        break
      }
      case 'bool': {
        if (b.length > 1 || (b.length === 1 && b[0] !== 1))
          throw new InvalidTransactionEncodingError(`argument ${name} is not a bool`)
        args[name] = b.length === 1
        json.push(b.length === 1)
        break
      }
      case 'string': {
        const v = text(b, `argument ${name}`)
        args[name] = v
        json.push(v)
        break
      }
      case 'bytes32': {
        if (b.length !== 32) throw new InvalidTransactionEncodingError(`argument ${name} is not 32 bytes`)
        const v = bytesToHex(b)
        args[name] = v
        json.push(v)
        break
      }
    }
  })
  const reads = addresses(items[4], 'reads')
  const writes = addresses(items[5], 'writes')
  if (reads.length + writes.length > MAX_DECLARED_ACCOUNTS) {
    throw new InvalidTransactionEncodingError(`more than ${MAX_DECLARED_ACCOUNTS} declared accounts`)
  }
  const nonce = uint(items[6], 'nonce', MAX_UINT64)
  const gasLimit = uint(items[7], 'gasLimit', MAX_UINT64)
  const maxFeePerGas = uint(items[8], 'maxFeePerGas')
  const maxPriorityFeePerGas = uint(items[9], 'maxPriorityFeePerGas')
  if (maxPriorityFeePerGas > maxFeePerGas) throw new TipAboveFeeCapError({ maxPriorityFeePerGas, maxFeePerGas })
  const signature = items[10]
  if (!(signature instanceof Uint8Array) || signature.length !== 65)
    throw new InvalidSignatureError('signature is not 65 bytes')
  const v = signature[64]!
  if (v !== 27 && v !== 28) throw new InvalidSignatureError(`v must be 27 or 28, got ${v}`)
  const r = bytesToBigint(signature.subarray(0, 32))
  const s = bytesToBigint(signature.subarray(32, 64))
  if (r === 0n || r >= SECP_N || s === 0n || s >= SECP_N) throw new InvalidSignatureError('r or s out of range')
  if (s > SECP_N / 2n) throw new InvalidSignatureError('high s value')
  const accounts = new Set([...reads, ...writes]).size
  const gas = intrinsicGas(schema, raw.length, accounts)
  if (gasLimit < gas) throw new IntrinsicGasTooLowError({ gasLimit, intrinsicGas: gas })
  return {
    chainId,
    program,
    method,
    args,
    argsJson: JSON.stringify(json),
    reads,
    writes,
    nonce,
    gasLimit,
    maxFeePerGas,
    maxPriorityFeePerGas,
    signature,
    schema,
    intrinsicGas: gas,
  }
}
