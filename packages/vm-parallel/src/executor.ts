import type { Address, Hex, Log } from '@appchain/core'
import { type BaseError, bytesToHex, UndeclaredAccessError } from '@appchain/core'
import { keccak256 } from '@appchain/state'
import {
  BalanceAccessError,
  ForbiddenGlobalError,
  ProgramContractError,
  ProgramRevertedError,
  RecordTooLargeError,
} from './errors.js'
import type { Capability } from './program.js'
import { encodeRecord, MAX_RECORD_BYTES } from './record.js'
import { headerLength, writeHeader } from './rlpHeader.js'
import type { Bridge, Sandbox } from './sandbox.js'

/** `locks`: declared accounts are enforced (Sealevel). `optimistic`: any account, conflicts re-executed (Block-STM). */
export type ExecutionMode = 'locks' | 'optimistic'

/** What execution needs to know of a transaction (plain data: it crosses to worker threads). */
export interface ExecTx {
  index: number
  program: string
  method: string
  argsJson: string
  sender: Address
  reads: Address[]
  writes: Address[]
}

export interface ProgramInfo {
  address: Address
  capabilities: readonly Capability[]
  /** Whether the program keeps records (reading or writing one otherwise reverts). */
  data: boolean
}

/** Where execution reads state from; `undefined` means "not in this slice" (a miss). */
export interface Store {
  balance(account: Address): bigint | undefined
  record(program: string, account: Address): ReadonlyMap<string, bigint> | undefined
}

export interface TxOutcome {
  status: 'success' | 'reverted'
  error?: { name: string; message: string } | undefined
  logs: Log[]
  /** Optimistic mode: state this transaction needs is not in the slice; execute again with it. */
  miss?: { account: Address; program?: string | undefined } | undefined
  /** Written balances and whole records (`program|account`), only on success. */
  balances: Map<Address, bigint>
  records: Map<string, Map<string, bigint>>
  /** Locations read (`b<account>`, `r<program>|<account>`), for optimistic validation. */
  reads: Set<string>
}

export interface ExecEnv {
  blockNumber: bigint
  timestamp: bigint
}

class Miss extends Error {
  constructor(
    readonly account: Address,
    readonly program?: string,
  ) {
    super('miss')
  }
}

const ADDRESS = /^0x[0-9a-f]{40}$/
const MAX_UINT = (1n << 256n) - 1n
const enc = new TextEncoder()
const topicCache = new Map<string, Hex>()
// Locking mode tracks no read set (only optimistic validation needs one); never written to.
const NO_READS: Set<string> = new Set()
// Outcomes without writes share these (callers only read outcomes).
const NO_BALANCES = new Map<Address, bigint>()
const NO_RECORDS = new Map<string, Map<string, bigint>>()

export const recordKey = (program: string, account: string) => `${program}|${account}`

/**
 * Executes one transaction against `store` with a private write buffer. Never throws for program faults:
 * they become a reverted outcome (state untouched). Pure given the store, so any thread computes the same.
 */
export function executeTx(
  sandbox: Sandbox,
  programs: ReadonlyMap<string, ProgramInfo>,
  tx: ExecTx,
  store: Store,
  env: ExecEnv,
  mode: ExecutionMode,
): TxOutcome {
  return createExecutor(sandbox, programs, store, env, mode)(tx)
}

/**
 * `executeTx` for many transactions against one store: the bridge the sandbox calls back into is built once
 * and pointed at each transaction in turn, so a transaction allocates only its own write buffer and logs.
 *
 * @example
 * ```ts
 * const run = createExecutor(sandbox, registry.infos, store, env, 'locks')
 * for (const tx of txs) run(tx)
 * ```
 */
export function createExecutor(
  sandbox: Sandbox,
  programs: ReadonlyMap<string, ProgramInfo>,
  store: Store,
  env: ExecEnv,
  mode: ExecutionMode,
): (tx: ExecTx) => TxOutcome {
  const locks = mode === 'locks'
  // The transaction being executed and its private buffers (reset by `run`).
  let tx: ExecTx = undefined as unknown as ExecTx
  let info: ProgramInfo | undefined
  let balances = new Map<Address, bigint>()
  let records = new Map<string, Map<string, bigint>>()
  let reads: Set<string> = NO_READS
  let logs: Log[] = []
  let fault: BaseError | Miss | undefined
  const callEnv = { sender: '', blockNumber: env.blockNumber, timestamp: env.timestamp }

  function fail(e: BaseError | Miss): never {
    fault ??= e
    throw e
  }
  function revert(reason: string): never {
    return fail(new ProgramRevertedError({ program: tx.program, method: tx.method, reason }))
  }
  function addr(a: string): Address {
    if (!ADDRESS.test(a)) revert(`invalid address ${a.slice(0, 50)}`)
    return a as Address
  }
  function canRead(a: Address): void {
    if (locks && !tx.writes.includes(a) && !tx.reads.includes(a))
      fail(new UndeclaredAccessError({ account: a, access: 'read' }))
  }
  function canWrite(a: Address): void {
    if (locks && !tx.writes.includes(a)) fail(new UndeclaredAccessError({ account: a, access: 'write' }))
  }
  function balanceOf(a: Address): bigint {
    const own = balances.get(a)
    if (own !== undefined) return own
    const v = store.balance(a)
    if (v === undefined) return fail(new Miss(a))
    if (!locks) reads.add(`b${a}`)
    return v
  }
  function recordOf(a: Address): ReadonlyMap<string, bigint> {
    if (!info?.data) return revert('program keeps no records')
    const key = recordKey(tx.program, a)
    const own = records.get(key)
    if (own) return own
    const r = store.record(tx.program, a)
    if (r === undefined) return fail(new Miss(a, tx.program))
    if (!locks) reads.add(`r${key}`)
    return r
  }

  const bridge: Bridge = {
    get(account, key) {
      const a = addr(account)
      canRead(a)
      return recordOf(a).get(key) ?? 0n
    },
    set(account, key, value) {
      const a = addr(account)
      canWrite(a)
      if (value < 0n || value > MAX_UINT) revert(`value out of range for ${key}`)
      const rk = recordKey(tx.program, a)
      let own = records.get(rk)
      if (!own) {
        own = new Map(recordOf(a))
        records.set(rk, own)
      }
      if (value === 0n) own.delete(key)
      else own.set(key, value)
    },
    balance(account) {
      const a = addr(account)
      canRead(a)
      return balanceOf(a)
    },
    transfer(from, to, amount) {
      const f = addr(from)
      const t = addr(to)
      canWrite(f)
      canWrite(t)
      if (f !== tx.sender && f !== info?.address) {
        fail(
          new BalanceAccessError({
            program: tx.program,
            account: f,
            reason: 'only the sender or the program itself can send',
          }),
        )
      }
      if (amount < 0n) revert('negative amount')
      const have = balanceOf(f)
      if (have < amount) revert(`insufficient balance: have ${have} want ${amount}`)
      balances.set(f, have - amount)
      balances.set(t, balanceOf(t) + amount)
    },
    mint(to, amount) {
      const t = addr(to)
      canWrite(t)
      if (!info?.capabilities.includes('mint')) {
        fail(new BalanceAccessError({ program: tx.program, account: t, reason: 'program lacks the mint capability' }))
      }
      if (amount < 0n) revert('negative amount')
      const next = balanceOf(t) + amount
      if (next > MAX_UINT) revert('balance overflow')
      balances.set(t, next)
    },
    emit(event, values) {
      logs.push({ address: info!.address, topics: [topic(event)], data: encodeLogValues(values) })
    },
    derive(parts) {
      return deriveAddress(parts)
    },
    forbidden(name) {
      fail(new ForbiddenGlobalError({ program: tx.program, method: tx.method, global: name }))
    },
    revert(reason) {
      revert(reason)
    },
  }

  const failed = (error: BaseError): TxOutcome => ({
    status: 'reverted',
    error: { name: error.name, message: error.shortMessage },
    logs: [],
    balances: NO_BALANCES,
    records: NO_RECORDS,
    reads,
  })

  return function run(next: ExecTx): TxOutcome {
    tx = next
    info = programs.get(tx.program)
    balances = new Map()
    if (records.size > 0) records = new Map()
    reads = locks ? NO_READS : new Set()
    logs = []
    fault = undefined
    callEnv.sender = tx.sender
    const outcome = sandbox.call(tx.program, tx.method, tx.argsJson, callEnv, bridge)
    // Set by the bridge during the call (TypeScript cannot see that).
    const f = fault as BaseError | Miss | undefined
    if (f instanceof Miss) {
      return {
        ...failed(new ProgramRevertedError({ program: tx.program, method: tx.method, reason: 'miss' })),
        miss: { account: f.account, program: f.program },
      }
    }
    if (f) return failed(f)
    if (!outcome.ok) {
      return failed(
        outcome.kind === 'contract'
          ? new ProgramContractError({ program: tx.program, method: tx.method, reason: outcome.reason })
          : new ProgramRevertedError({ program: tx.program, method: tx.method, reason: outcome.reason }),
      )
    }
    for (const [key, rec] of records) {
      const size = encodeRecord(rec).length
      if (size > MAX_RECORD_BYTES) {
        return failed(
          new RecordTooLargeError({
            program: tx.program,
            account: key.slice(key.indexOf('|') + 1),
            size,
            max: MAX_RECORD_BYTES,
          }),
        )
      }
    }
    // The live `records` map is handed out only when non-empty; the next run replaces it.
    return { status: 'success', logs, balances, records: records.size > 0 ? records : NO_RECORDS, reads }
  }
}

function topic(event: string): Hex {
  let t = topicCache.get(event)
  if (!t) {
    t = bytesToHex(keccak256(enc.encode(event)))
    if (topicCache.size < 10_000) topicCache.set(event, t)
  }
  return t
}

/**
 * Log data: rlp of the emitted values (uints as minimal big-endian bytes, strings as UTF-8, booleans as 0/1),
 * from the sandbox's packing `n<hex>:` / `T` / `F` / `s<length>:<text>`. Written as bytes into one scratch
 * buffer and turned into hex once: a hex string built with `+=` is a rope of cons-strings that lives as long as
 * the log (the whole batch), and scavenging those ropes was half of a transfer's cost on a worker.
 *
 * @example
 * ```ts
 * encodeLogValues('n5:Ts2:hi') // rlp([0x05, 0x01, "hi"])
 * ```
 */
export function encodeLogValues(packed: string): Hex {
  // The body starts after room for the longest list header (1 + 8 bytes); the header goes right before it.
  let at = LIST_HEADER_ROOM
  let i = 0
  while (i < packed.length) {
    const kind = packed[i]
    if (kind === 'T' || kind === 'F') {
      // true is the single byte 0x01 (its own rlp), false the empty string 0x80.
      scratch = room(scratch, at, 1)
      scratch[at++] = kind === 'T' ? 0x01 : 0x80
      i++
      continue
    }
    const colon = packed.indexOf(':', i)
    if (colon < 0 || (kind !== 'n' && kind !== 's')) throw new RangeError('malformed log values')
    if (kind === 'n') {
      const digits = colon - i - 1
      if (digits === 0) throw new RangeError('log value out of range')
      for (let k = i + 1; k < colon; k++)
        if (NIBBLE_OF[packed.charCodeAt(k)] === undefined) throw new RangeError('log value out of range')
      if (digits === 1 && packed.charCodeAt(i + 1) === 0x30 /* '0' */) {
        scratch = room(scratch, at, 1)
        scratch[at++] = 0x80
      } else {
        const len = (digits + 1) >> 1
        scratch = room(scratch, at, len + 9)
        // A single byte below 0x80 is its own rlp.
        const first = digits % 2 ? NIBBLE_OF[packed.charCodeAt(i + 1)]! : 0
        if (!(len === 1 && (digits === 1 ? first : byteAt(packed, i + 1)) < 0x80))
          at = writeHeader(scratch, at, 0x80, len)
        let k = i + 1
        if (digits % 2) {
          scratch[at++] = first
          k++
        }
        for (; k < colon; k += 2) scratch[at++] = byteAt(packed, k)
      }
      i = colon + 1
    } else {
      const len = Number(packed.slice(i + 1, colon))
      if (!Number.isSafeInteger(len) || len < 0 || colon + 1 + len > packed.length)
        throw new RangeError('malformed log values')
      const text = packed.slice(colon + 1, colon + 1 + len)
      let ascii = true
      for (let k = 0; k < text.length; k++) if (text.charCodeAt(k) >= 0x80) ascii = false
      const bytes = ascii ? undefined : enc.encode(text)
      const size = bytes ? bytes.length : text.length
      scratch = room(scratch, at, size + 9)
      const single = size === 1 && (bytes ? bytes[0]! : text.charCodeAt(0)) < 0x80
      if (!single) at = writeHeader(scratch, at, 0x80, size)
      if (bytes) {
        scratch.set(bytes, at)
        at += size
      } else for (let k = 0; k < size; k++) scratch[at++] = text.charCodeAt(k)
      i = colon + 1 + len
    }
  }
  const bodySize = at - LIST_HEADER_ROOM
  const header = headerLength(bodySize)
  writeHeader(scratch, LIST_HEADER_ROOM - header, 0xc0, bodySize)
  return bytesToHex(scratch.subarray(LIST_HEADER_ROOM - header, at))
}

const LIST_HEADER_ROOM = 9
let scratch: Uint8Array = new Uint8Array(1024)
const NIBBLE_OF: (number | undefined)[] = []
for (let c = 0; c < 10; c++) NIBBLE_OF[48 + c] = c
for (let c = 0; c < 6; c++) NIBBLE_OF[97 + c] = 10 + c

function byteAt(hex: string, k: number): number {
  return (NIBBLE_OF[hex.charCodeAt(k)]! << 4) | NIBBLE_OF[hex.charCodeAt(k + 1)]!
}

/** `buf`, or a copy twice as large, with at least `need` bytes free after `at`. */
function room(buf: Uint8Array, at: number, need: number): Uint8Array {
  if (at + need <= buf.length) return buf
  const next = new Uint8Array(Math.max(2 * buf.length, at + need))
  next.set(buf.subarray(0, at))
  return next
}

/**
 * The address a program derives from parts (`ctx.derive('cell', x, y)`), also computable by clients.
 *
 * @example
 * ```ts
 * deriveAddress(derivationKey('cell', 3n, 4n))
 * ```
 */
export function deriveAddress(parts: string): Address {
  return bytesToHex(keccak256(enc.encode(`appchain.derive:${parts}`)).subarray(12)) as Address
}

/** The string `ctx.derive(...parts)` hashes, for computing derived addresses outside a program. */
export function derivationKey(...parts: (string | bigint)[]): string {
  return parts.map((x) => (typeof x === 'bigint' ? `n${x.toString()}` : `s${String(x)}`)).join('\u0000')
}
