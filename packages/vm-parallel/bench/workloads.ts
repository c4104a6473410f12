import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { Address, BlockContext, Db, GasModel, GenesisAlloc, Hex, StateDb } from '@appchain/core'
import { bytesToHex, keccak256, memoryDb, ZERO_HASH } from '@appchain/core'
import { createShardedStateDb, createStateDb } from '@appchain/state'
import type { Program } from '../src/program.js'
import { encodeTransaction, type ParallelTxRequest, signingDigest } from '../src/tx.js'

interface NativeSecp {
  ecdsaSign(msg: Uint8Array, sk: Uint8Array): { signature: Uint8Array; recid: number }
  publicKeyCreate(sk: Uint8Array, compressed: boolean): Uint8Array
}
export const secp = createRequire(import.meta.url)('secp256k1/bindings') as NativeSecp

export interface BenchKey {
  privateKey: Uint8Array
  address: Address
}

export function benchKeys(n: number, seed: string): BenchKey[] {
  const out: BenchKey[] = []
  for (let i = 0; i < n; i++) {
    const privateKey = keccak256(new TextEncoder().encode(`${seed}:${i}`))
    const pub = secp.publicKeyCreate(privateKey, false)
    out.push({ privateKey, address: bytesToHex(keccak256(pub.subarray(1)).subarray(12)) as Address })
  }
  return out
}

export function signNative(digest: Uint8Array, key: BenchKey): Hex {
  const { signature, recid } = secp.ecdsaSign(digest, key.privateKey)
  const out = new Uint8Array(65)
  out.set(signature)
  out[64] = 27 + recid
  return bytesToHex(out)
}

export interface Transfer {
  from: BenchKey
  to: Address
  nonce: bigint
}

/**
 * The three transfer workloads: distinct senders and receivers (low contention), everyone paying one
 * account (a hot account), and one sender's chain of nonces (a hot sender).
 */
export function transferWorkloads(n: number): { name: string; transfers: Transfer[]; undeclared?: boolean }[] {
  const senders = benchKeys(n, 'sender')
  const receivers = benchKeys(n, 'receiver')
  const hot = receivers[0]!.address
  return [
    { name: 'low contention', transfers: senders.map((from, i) => ({ from, to: receivers[i]!.address, nonce: 0n })) },
    { name: 'one hot account', transfers: senders.map((from) => ({ from, to: hot, nonce: 0n })) },
    {
      name: 'single sender',
      transfers: receivers.map((r, i) => ({ from: senders[0]!, to: r.address, nonce: BigInt(i) })),
    },
    // Block-STM without exact hints: the hot receiver is not declared, so every transfer runs again on the
    // main thread after validation (optimistic mode only; locking mode would refuse it).
    { name: 'hot, undeclared', transfers: senders.map((from) => ({ from, to: hot, nonce: 0n })), undeclared: true },
  ]
}

export function signTransfers(
  token: Program,
  transfers: Transfer[],
  chainId: bigint,
  undeclared = false,
): Uint8Array[] {
  const m = token.methods.transfer!
  const schema = { program: token.id, method: 'transfer', args: m.args, gas: m.gas }
  return transfers.map((t) => {
    const request: ParallelTxRequest = {
      chainId,
      program: token.id,
      method: 'transfer',
      args: { to: t.to, amount: 1n },
      reads: [],
      writes: undeclared || t.from.address === t.to ? [t.from.address] : [t.from.address, t.to],
      nonce: t.nonce,
      gasLimit: 30_000n,
      maxFeePerGas: 10n,
      maxPriorityFeePerGas: 0n,
    }
    return encodeTransaction(request, schema, signNative(signingDigest(request, schema), t.from))
  })
}

/**
 * Which `StateDb` a bench block runs on: `createStateDb` (`'plain'`), `createShardedStateDb` on worker shards
 * (`'sharded'`), or the parallel VM's own sharded state (`'vmShards'`: `vm.openState`, shards in the VM's workers).
 */
export type BenchStateKind = 'plain' | 'sharded' | 'vmShards'

/** A bench block's state; `close()` stops a sharded state's workers. */
export type BenchState = StateDb & { close(): Promise<void> }

/**
 * A fresh state holding `alloc`, flushed to its Db (ops written) so a block pays only for what it changes.
 * By default the `StateDb` that wrote and flushed genesis stays open, as on a running node (packages/node keeps
 * one `StateDb` for its whole life, so the trie of everything touched since start is resident). `cold: true`
 * reopens the state from its Db instead: a node's first block after a restart, every trie node read back.
 * `kind: 'sharded'` uses `createShardedStateDb` with `shards` worker threads (default 1); close it after the block.
 */
export async function flushedState(
  alloc: GenesisAlloc,
  write: (alloc: GenesisAlloc, state: StateDb) => Promise<void>,
  opts: {
    cold?: boolean | undefined
    kind?: BenchStateKind | undefined
    shards?: number | undefined
    /** `'vmShards'`: the VM's `openState`. */
    open?: ((db: Db, opts: { root?: Hex | undefined }) => Promise<BenchState>) | undefined
  } = {},
): Promise<BenchState> {
  const db: Db = memoryDb()
  if (opts.kind === 'vmShards' || opts.kind === 'sharded') {
    // The VM's own shards (its openState), or the state's own shard workers.
    const shards = opts.shards ?? 1
    const open =
      opts.kind === 'sharded'
        ? (d: Db, o: { root?: Hex | undefined }) => createShardedStateDb({ db: d, shards, root: o.root })
        : opts.open
    if (open === undefined) throw new TypeError('flushedState: vmShards needs the VM (opts.open)')
    const state = await open(db, {})
    try {
      await write(alloc, state)
      const { root, ops } = await state.flush()
      await db.batch(ops)
      if (!opts.cold) return state
      await state.close()
      return await open(db, { root })
    } catch (e) {
      await state.close()
      throw e
    }
  }
  const state = createStateDb({ db })
  await write(alloc, state)
  const { root, ops } = await state.flush()
  await db.batch(ops)
  const out = opts.cold ? createStateDb({ db, root }) : state
  return Object.assign(out, { close: async () => {} })
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}

/**
 * CPU milliseconds used so far by the main thread alone (Linux: /proc/self/task/<pid>/stat) and by the
 * whole process; on a shared machine these are steadier than wall time.
 */
export function cpuMs(): { main: number; all: number } {
  const u = process.cpuUsage()
  const all = (u.user + u.system) / 1000
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8')
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // Fields 14 and 15 (utime, stime) in clock ticks, counted after the command name.
    return { main: (Number(f[11]) + Number(f[12])) * 10, all }
  } catch {
    return { main: Number.NaN, all }
  }
}

/** The benches' block 1 on chain 4242: a gas limit no workload reaches, `gas`'s genesis fees. */
export function benchContext(gas: GasModel, timestamp = 1n): BlockContext {
  return {
    chainId: 4242n,
    number: 1n,
    timestamp,
    coinbase: '0x00000000000000000000000000000000000000c0',
    gasLimit: 10n ** 12n,
    fees: gas.genesisFees(),
    prevRandao: ZERO_HASH,
    parentHash: ZERO_HASH,
  }
}
