import {
  type Address,
  bytesToBigint,
  ChainIdMismatchError,
  concatBytes,
  FeeCapTooLowError,
  InitCodeTooLargeError,
  IntrinsicGasTooLowError,
  InvalidSignatureError,
  InvalidTransactionEncodingError,
  TipAboveFeeCapError,
  TransactionTooLargeError,
  UnsupportedTransactionTypeError,
} from '@appchain/core'
import { keccak256 } from '@appchain/state'
import { fromRlp, toRlp } from 'viem'
import { InvalidAuthorizationListError, TransactionFieldOverflowError, UnprotectedTransactionError } from './errors.js'
import type { AccessListItem, Authorization, EvmTx, EvmTxType } from './evmTx.js'
import { type Hardfork, isActive } from './hardfork.js'
import { toHex as bytesToHex } from './hex.js'
import { calldataFloorGas, intrinsicGas, MAX_INITCODE_SIZE } from './intrinsicGas.js'

type Rlp = Uint8Array | Rlp[]

/** Half the secp256k1 group order: signatures with a higher `s` are malleable and refused (EIP-2). */
export const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
export const SECP256K1_N_DIV_2 = SECP256K1_N / 2n
const MAX_UINT64 = 2n ** 64n - 1n
const MAX_UINT256 = 2n ** 256n - 1n

/** Options of the stateless decoding checks. */
export interface DecodeTxOptions {
  chainId: bigint
  hardfork: Hardfork
  /** Accept legacy transactions signed without a chain id (pre-EIP-155). */
  allowUnprotected: boolean
  /** Largest accepted encoding in bytes (default 128 KiB, geth's). */
  maxSize?: number | undefined
}

/** A decoded transaction whose sender is still to be recovered. */
export type UnsignedEvmTx = Omit<EvmTx, 'sender'>

function bytesField(item: Rlp | undefined, field: string): Uint8Array {
  if (!(item instanceof Uint8Array)) throw new InvalidTransactionEncodingError(`${field} is a list, expected bytes`)
  return item
}

function listField(item: Rlp | undefined, field: string): Rlp[] {
  if (!Array.isArray(item)) throw new InvalidTransactionEncodingError(`${field} is not a list`)
  return item
}

function uintField(item: Rlp | undefined, field: string, max = MAX_UINT256): bigint {
  const b = bytesField(item, field)
  if (b.length > 0 && b[0] === 0) throw new InvalidTransactionEncodingError(`${field} has leading zero bytes`)
  if (b.length > 32 && SIGNATURE_FIELDS.has(field)) throw new InvalidSignatureError(`${field} is ${b.length} bytes`)
  if (b.length > 32) throw new TransactionFieldOverflowError({ field, value: bytesToBigint(b), max })
  const v = bytesToBigint(b)
  if (v > max) throw new TransactionFieldOverflowError({ field, value: v, max })
  return v
}

function addressField(item: Rlp | undefined, field: string, allowEmpty: boolean): Address | null {
  const b = bytesField(item, field)
  if (b.length === 0 && allowEmpty) return null
  if (b.length !== 20) throw new InvalidTransactionEncodingError(`${field} is ${b.length} bytes, expected 20`)
  return bytesToHex(b)
}

function accessListField(item: Rlp | undefined): AccessListItem[] {
  return listField(item, 'accessList').map((entry, i) => {
    const pair = listField(entry, `accessList[${i}]`)
    if (pair.length !== 2) throw new InvalidTransactionEncodingError(`accessList[${i}] has ${pair.length} items`)
    const address = addressField(pair[0], `accessList[${i}].address`, false) as Address
    const storageKeys = listField(pair[1], `accessList[${i}].storageKeys`).map((k, j) => {
      const key = bytesField(k, `accessList[${i}].storageKeys[${j}]`)
      if (key.length !== 32)
        throw new InvalidTransactionEncodingError(
          `accessList[${i}].storageKeys[${j}] is ${key.length} bytes, expected 32`,
        )
      return bytesToHex(key)
    })
    return { address, storageKeys }
  })
}

function authorizationListField(item: Rlp | undefined): Authorization[] {
  return listField(item, 'authorizationList').map((entry, i) => {
    const t = listField(entry, `authorizationList[${i}]`)
    if (t.length !== 6) throw new InvalidTransactionEncodingError(`authorizationList[${i}] has ${t.length} items`)
    return {
      chainId: uintField(t[0], `authorizationList[${i}].chainId`),
      address: addressField(t[1], `authorizationList[${i}].address`, false) as Address,
      nonce: uintField(t[2], `authorizationList[${i}].nonce`, MAX_UINT64),
      yParity: Number(uintField(t[3], `authorizationList[${i}].yParity`, 255n)),
      r: uintField(t[4], `authorizationList[${i}].r`),
      s: uintField(t[5], `authorizationList[${i}].s`),
    }
  })
}

function checkRs(r: bigint, s: bigint): void {
  if (r === 0n || r >= SECP256K1_N) throw new InvalidSignatureError(`r ${r} out of range`)
  if (s === 0n || s > SECP256K1_N_DIV_2) throw new InvalidSignatureError(`s ${s} out of range (high s or zero)`)
}

const SIGNATURE_FIELDS = new Set(['v', 'r', 's', 'yParity'])

const FIELD_COUNT: Record<EvmTxType, number> = { 0: 9, 1: 11, 2: 12, 4: 13 }

/**
 * Decodes one raw transaction (legacy, EIP-2930, EIP-1559, EIP-7702) with viem's strict RLP decoder and
 * runs every stateless check: canonical encoding, field sizes, signature ranges, chain id, replay
 * protection, EIP-3860 init code size, fee cap ≥ tip and intrinsic gas. The sender is recovered
 * separately (`recoverSenders`), so this part stays cheap and can run on any thread.
 *
 * @example
 * ```ts
 * const tx = decodeTx(hexToBytes(raw), { chainId: 1n, hardfork: 'prague', allowUnprotected: false })
 * tx.signature.signingHash // what the sender signed
 * ```
 */
export function decodeTx(raw: Uint8Array, opts: DecodeTxOptions): UnsignedEvmTx {
  const maxSize = opts.maxSize ?? 131_072
  if (raw.length > maxSize) throw new TransactionTooLargeError({ size: raw.length, max: maxSize })
  if (raw.length === 0) throw new InvalidTransactionEncodingError('empty input')
  const first = raw[0]!
  let type: EvmTxType
  let payload: Uint8Array
  if (first >= 0xc0) {
    type = 0
    payload = raw
  } else if (first <= 0x7f) {
    if (first === 3)
      throw new UnsupportedTransactionTypeError(3, 'blob transactions need a blob market, which an L2 has not')
    if (first !== 1 && first !== 2 && first !== 4) throw new UnsupportedTransactionTypeError(first, 'unknown type')
    if (first === 4 && !isActive(opts.hardfork, 'prague'))
      throw new UnsupportedTransactionTypeError(4, `EIP-7702 is not active in ${opts.hardfork}`)
    type = first
    payload = raw.subarray(1)
  } else {
    throw new InvalidTransactionEncodingError(`first byte 0x${first.toString(16)} is neither a type nor a list`)
  }

  let fields: Rlp[]
  try {
    const decoded = fromRlp(payload, 'bytes') as Rlp
    if (!Array.isArray(decoded)) throw new InvalidTransactionEncodingError('payload is not a list')
    fields = decoded
  } catch (e) {
    if (e instanceof InvalidTransactionEncodingError) throw e
    throw new InvalidTransactionEncodingError(
      e instanceof Error ? ((e as { shortMessage?: string }).shortMessage ?? e.message) : 'malformed RLP',
      { cause: e },
    )
  }
  const count = FIELD_COUNT[type]
  if (fields.length !== count)
    throw new InvalidTransactionEncodingError(`type ${type} transaction has ${fields.length} fields, expected ${count}`)

  const hash = bytesToHex(keccak256(raw))
  let chainId: bigint | undefined
  let nonce: bigint
  let maxFeePerGas: bigint
  let maxPriorityFeePerGas: bigint
  let gasLimit: bigint
  let to: Address | null
  let value: bigint
  let data: Uint8Array
  let accessList: AccessListItem[] = []
  let authorizationList: Authorization[] | undefined
  let recovery: number
  let r: bigint
  let s: bigint
  let signingHash: Uint8Array

  if (type === 0) {
    nonce = uintField(fields[0], 'nonce', MAX_UINT64)
    maxFeePerGas = maxPriorityFeePerGas = uintField(fields[1], 'gasPrice')
    gasLimit = uintField(fields[2], 'gasLimit', MAX_UINT64)
    to = addressField(fields[3], 'to', true)
    value = uintField(fields[4], 'value')
    data = bytesField(fields[5], 'data')
    const v = uintField(fields[6], 'v')
    r = uintField(fields[7], 'r')
    s = uintField(fields[8], 's')
    if (v === 27n || v === 28n) {
      recovery = Number(v - 27n)
      chainId = undefined
      signingHash = keccak256(toRlp(fields.slice(0, 6) as Uint8Array[], 'bytes'))
    } else if (v >= 35n) {
      chainId = (v - 35n) / 2n
      recovery = Number((v - 35n) % 2n)
      signingHash = keccak256(
        toRlp([...(fields.slice(0, 6) as Uint8Array[]), toBytes(chainId), new Uint8Array(), new Uint8Array()], 'bytes'),
      )
    } else {
      throw new InvalidSignatureError(`v ${v} is neither 27, 28 nor an EIP-155 value`)
    }
  } else {
    chainId = uintField(fields[0], 'chainId')
    nonce = uintField(fields[1], 'nonce', MAX_UINT64)
    let i = 2
    if (type === 1) {
      maxFeePerGas = maxPriorityFeePerGas = uintField(fields[i++], 'gasPrice')
    } else {
      maxPriorityFeePerGas = uintField(fields[i++], 'maxPriorityFeePerGas')
      maxFeePerGas = uintField(fields[i++], 'maxFeePerGas')
    }
    gasLimit = uintField(fields[i++], 'gasLimit', MAX_UINT64)
    to = addressField(fields[i++], 'to', type !== 4)
    value = uintField(fields[i++], 'value')
    data = bytesField(fields[i++], 'data')
    accessList = accessListField(fields[i++])
    if (type === 4) {
      authorizationList = authorizationListField(fields[i++])
      if (authorizationList.length === 0)
        throw new InvalidAuthorizationListError({ reason: 'empty authorization list' })
    }
    const yParity = uintField(fields[i++], 'yParity')
    r = uintField(fields[i++], 'r')
    s = uintField(fields[i++], 's')
    if (yParity > 1n) throw new InvalidSignatureError(`yParity ${yParity} is neither 0 nor 1`)
    recovery = Number(yParity)
    signingHash = keccak256(concatBytes(new Uint8Array([type]), toRlp(fields.slice(0, i - 3) as Uint8Array[], 'bytes')))
  }

  checkRs(r, s)
  if (chainId === undefined) {
    if (!opts.allowUnprotected) throw new UnprotectedTransactionError({ hash })
  } else if (chainId !== opts.chainId) {
    throw new ChainIdMismatchError({ expected: opts.chainId, got: chainId })
  }
  if (maxPriorityFeePerGas > maxFeePerGas) throw new TipAboveFeeCapError({ maxPriorityFeePerGas, maxFeePerGas })
  if (gasLimit * maxFeePerGas > MAX_UINT256)
    throw new TransactionFieldOverflowError({
      field: 'gasLimit * maxFeePerGas',
      value: gasLimit * maxFeePerGas,
      max: MAX_UINT256,
    })
  if (nonce >= MAX_UINT64)
    throw new TransactionFieldOverflowError({ field: 'nonce', value: nonce, max: MAX_UINT64 - 1n })
  if (to === null && data.length > MAX_INITCODE_SIZE)
    throw new InitCodeTooLargeError({ size: data.length, max: MAX_INITCODE_SIZE })
  const intrinsic = intrinsicGas({ to, data, accessList, authorizationCount: authorizationList?.length })
  const floor = calldataFloorGas(data, opts.hardfork)
  const minimum = intrinsic > floor ? intrinsic : floor
  if (gasLimit < minimum) throw new IntrinsicGasTooLowError({ gasLimit, intrinsicGas: minimum })

  return {
    hash,
    raw,
    nonce,
    gasLimit,
    fee: { maxFeePerGas, maxPriorityFeePerGas },
    accessSet: accessSetOf(to, accessList),
    size: raw.length,
    type,
    chainId,
    to,
    value,
    data,
    accessList,
    authorizationList,
    signature: { signingHash, r, s, recovery },
  }
}

function accessSetOf(to: Address | null, accessList: AccessListItem[]): EvmTx['accessSet'] {
  if (accessList.length === 0) return to ? { reads: [], writes: [to] } : undefined
  const reads = accessList.map((a) => a.address)
  return { reads, writes: to ? [to] : [] }
}

/**
 * The signed transaction: `tx` with its recovered sender, and an access set whose writes are at least the
 * sender (nonce and balance) and the recipient, plus every access-list address, so models that price by
 * written accounts (`localFeeMarkets`) see plain transfers too. Reads are the access-list addresses.
 *
 * @example
 * ```ts
 * const tx = withSender(decodeTx(raw, opts), '0xabc…')
 * tx.accessSet // { reads: [], writes: ['0xabc…', tx.to] }
 * ```
 */
export function withSender(tx: UnsignedEvmTx, sender: Address): EvmTx {
  const writes: Address[] = [sender]
  if (tx.to !== null && tx.to !== sender) writes.push(tx.to)
  for (const item of tx.accessList) if (!writes.includes(item.address)) writes.push(item.address)
  // Written out, not `{ ...tx, sender, … }`: V8 gives a spread that adds a property a new hidden class per object,
  // so every decoded transaction had its own (1988 of 2000), every property access on transactions (VM, mempool,
  // gas models) went megamorphic, and each property a consumer added cost a new map (about 1-2 µs).
  return {
    hash: tx.hash,
    raw: tx.raw,
    nonce: tx.nonce,
    gasLimit: tx.gasLimit,
    fee: tx.fee,
    accessSet: { reads: tx.accessSet?.reads ?? [], writes },
    size: tx.size,
    type: tx.type,
    chainId: tx.chainId,
    to: tx.to,
    value: tx.value,
    data: tx.data,
    accessList: tx.accessList,
    authorizationList: tx.authorizationList,
    signature: tx.signature,
    sender,
  }
}

function toBytes(v: bigint): Uint8Array {
  if (v === 0n) return new Uint8Array()
  let h = v.toString(16)
  if (h.length % 2) h = `0${h}`
  const out = new Uint8Array(h.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(h.slice(i * 2, i * 2 + 2), 16)
  return out
}

/** Checks that need the block (EIP-1559 fee cap against the base fee), shared by validateTx and executeBlock. */
export function checkFeeCap(tx: { fee: { maxFeePerGas: bigint } }, baseFeePerGas: bigint): void {
  if (tx.fee.maxFeePerGas < baseFeePerGas)
    throw new FeeCapTooLowError({ maxFeePerGas: tx.fee.maxFeePerGas, baseFeePerGas })
}
