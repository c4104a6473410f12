import { describe, expect, it } from 'vitest'
import { KECCAK_EMPTY, ZERO_HASH } from '../constants.js'
import { BaseError } from '../errors/base.js'
import { DaBlobTooLargeError, DaNotFoundError } from '../errors/da.js'
import { InvalidTransactionEncodingError, NonceTooLowError } from '../errors/tx.js'
import { keccak256Hex } from '../hash.js'
import type { DaAdapter, DaRef } from '../interfaces/da.js'
import type { GasModel } from '../interfaces/gasModel.js'
import type { OrderingPolicy } from '../interfaces/ordering.js'
import type { StateDb } from '../interfaces/state.js'
import type { Vm } from '../interfaces/vm.js'
import type { Account, Address, Hex, TxEnvelope } from '../types.js'
import { checkDaConformance, runDaConformance } from './da.js'
import { checkGasModelConformance, runGasModelConformance } from './gasModel.js'
import { checkOrderingConformance, runOrderingConformance } from './ordering.js'
import { checkVmConformance, runVmConformance, type VmConformanceOptions } from './vm.js'

// Each suite runs here against a small, correct reference implementation (so the suite itself is
// known to pass a conforming subject) and against a deliberately broken one that it must fail.

// --- GasModel: a flat price per gas --------------------------------------------------------------
const flatPerGas = (price: bigint): GasModel => ({
  name: 'flatPerGas',
  genesisFees: () => ({ baseFeePerGas: price }),
  nextBlockFees: () => ({ baseFeePerGas: price }),
  async admit(tx) {
    if (tx.fee.maxFeePerGas < price) throw new BaseError('fee too low', { data: { price } })
  },
  upfront: async (tx) => ({ payer: tx.sender, amount: tx.gasLimit * price }),
  charge: async (tx, gasUsed, ctx) => ({
    payer: tx.sender,
    amount: gasUsed * price,
    burnt: 0n,
    credits: [{ to: ctx.coinbase, amount: gasUsed * price }],
    effectiveGasPrice: price,
  }),
  priority: (tx) => tx.fee.maxPriorityFeePerGas,
  quote: () => ({ gasPrice: price, maxPriorityFeePerGas: 0n }),
})

const sampleTx = (n: number): TxEnvelope => ({
  hash: keccak256Hex(new Uint8Array([n])),
  raw: new Uint8Array([n]),
  sender: `0x${n.toString(16).padStart(40, '0')}`,
  nonce: 0n,
  gasLimit: 21_000n,
  fee: { maxFeePerGas: 10n, maxPriorityFeePerGas: 1n },
  size: 1,
})

runGasModelConformance({ create: () => flatPerGas(7n), admissibleTxs: [sampleTx(1), sampleTx(2)] })

describe('GasModel conformance catches broken models', () => {
  it('fails a model whose charge does not balance and exceeds the hold', async () => {
    const broken = (): GasModel => ({
      ...flatPerGas(7n),
      charge: async (tx, gasUsed) => ({
        payer: tx.sender,
        amount: gasUsed * 8n,
        burnt: 1n,
        credits: [],
        effectiveGasPrice: 8n,
      }),
    })
    const failures = await checkGasModelConformance({ create: broken, admissibleTxs: [sampleTx(1)] })
    expect(failures.map((f) => f.name)).toEqual([
      'charges balance: amount = burnt + credits, never above the up-front hold',
    ])
  })
})

// --- OrderingPolicy ------------------------------------------------------------------------------
const roundRobin = (): OrderingPolicy => ({
  name: 'roundRobin',
  *order(pending) {
    const queues = [...pending.senders()].map((s) => [...pending.queue(s)])
    while (queues.some((q) => q.length)) for (const q of queues) if (q.length) yield q.shift()!
  },
})
runOrderingConformance({ create: roundRobin, gas: flatPerGas(1n) })

describe('OrderingPolicy conformance catches broken policies', () => {
  it('fails a policy that sorts by tip alone, breaking nonce order', async () => {
    const byTip = (): OrderingPolicy => ({
      name: 'byTip',
      order: (pending) =>
        [...pending.senders()]
          .flatMap((s) => [...pending.queue(s)])
          .sort((a, b) => Number(b.fee.maxPriorityFeePerGas - a.fee.maxPriorityFeePerGas)),
    })
    const failures = await checkOrderingConformance({ create: byTip, gas: flatPerGas(1n) })
    expect(failures.map((f) => f.name)).toEqual(['keeps each sender’s nonce order'])
  })
})

// --- DaAdapter: an in-memory adapter, one height per submission ---------------------------------
const memoryDa = (opts: { enforceSize: boolean }): DaAdapter => {
  const heights: { ref: DaRef; data: Uint8Array }[][] = []
  return {
    name: 'memory',
    maxBlobSize: 1024,
    async submit(blobs) {
      if (opts.enforceSize)
        for (const b of blobs) if (b.length > 1024) throw new DaBlobTooLargeError({ size: b.length, max: 1024 })
      const height = BigInt(heights.length)
      const entries = blobs.map((data, i) => ({ ref: { height, id: keccak256Hex(new Uint8Array([i])) }, data }))
      heights.push(entries)
      return entries.map((e) => e.ref)
    },
    async get(ref) {
      const e = heights[Number(ref.height)]?.find((x) => x.ref.id === ref.id)
      if (!e) throw new DaNotFoundError({ ref: `${ref.height}/${ref.id}` })
      return e.data
    },
    getAll: async (h) => heights[Number(h)] ?? [],
    head: async () => BigInt(Math.max(0, heights.length - 1)),
    async close() {},
  }
}
runDaConformance({ create: async () => memoryDa({ enforceSize: true }) })

describe('DaAdapter conformance catches broken adapters', () => {
  it('fails an adapter that accepts blobs above its maximum size', async () => {
    const failures = await checkDaConformance({ create: async () => memoryDa({ enforceSize: false }) })
    expect(failures.map((f) => f.name)).toEqual(['a blob above maxBlobSize is refused with a BaseError'])
  })
})

// --- Vm: a toy "nonce bump" VM on a toy state ---------------------------------------------------
// A tx is 3 bytes [sender id, nonce, gas/1000]; executing it bumps the sender's nonce.
function toyState(): StateDb {
  const accounts = new Map<Address, Account>()
  const journal: Map<Address, Account>[] = []
  const root = async () =>
    keccak256Hex(
      new TextEncoder().encode(JSON.stringify([...accounts].sort(), (_, v) => (typeof v === 'bigint' ? `${v}` : v))),
    )
  return {
    getAccount: async (a) => accounts.get(a),
    getStorage: async () => ZERO_HASH,
    getCode: async () => new Uint8Array(),
    async putAccount(a, acc) {
      if (acc) accounts.set(a, acc)
      else accounts.delete(a)
    },
    async putStorage() {},
    async putCode() {},
    async clearStorage() {},
    checkpoint: () => journal.push(new Map(accounts)),
    commit: () => void journal.pop(),
    revert() {
      const snap = journal.pop()!
      accounts.clear()
      for (const [k, v] of snap) accounts.set(k, v)
    },
    root,
    storageRoot: async () => ZERO_HASH,
    flush: async () => ({ root: await root(), ops: [] }),
    async getProof() {
      throw new BaseError('no proofs in the toy state')
    },
  }
}

const senderOf = (id: number): Address => `0x${id.toString(16).padStart(40, '0')}`

function toyVm(opts: { cumulativeBug?: boolean } = {}): Vm {
  return {
    kind: 'toy',
    async decodeTxs(raws) {
      return raws.map((raw) => {
        if (raw.length !== 3) return new InvalidTransactionEncodingError(`expected 3 bytes, got ${raw.length}`)
        return {
          hash: keccak256Hex(raw),
          raw,
          sender: senderOf(raw[0]!),
          nonce: BigInt(raw[1]!),
          gasLimit: BigInt(raw[2]!) * 1000n,
          fee: { maxFeePerGas: 1n, maxPriorityFeePerGas: 0n },
          size: raw.length,
        }
      })
    },
    async validateTx(tx, state) {
      const nonce = (await state.getAccount(tx.sender))?.nonce ?? 0n
      if (tx.nonce < nonce) throw new NonceTooLowError({ address: tx.sender, nonce: tx.nonce, expected: nonce })
    },
    async executeBlock({ txs, state }) {
      const receipts = []
      let gas = 0n
      for (const [i, tx] of txs.entries()) {
        const acc = (await state.getAccount(tx.sender)) ?? { nonce: 0n, balance: 0n, codeHash: KECCAK_EMPTY }
        await state.putAccount(tx.sender, { ...acc, nonce: acc.nonce + 1n })
        gas += tx.gasLimit
        receipts.push({
          transactionHash: tx.hash,
          transactionIndex: i,
          type: 0,
          from: tx.sender,
          to: null,
          status: 'success' as const,
          gasUsed: tx.gasLimit,
          cumulativeGasUsed: opts.cumulativeBug ? tx.gasLimit : gas,
          effectiveGasPrice: 1n,
          logs: [],
          logsBloom: `0x${'00'.repeat(256)}` as Hex,
          contractAddress: null,
        })
      }
      const stateRoot = await state.root()
      return {
        receipts,
        excluded: [],
        included: txs,
        gasUsed: gas,
        withdrawals: [],
        withdrawalsRoot: ZERO_HASH,
        transactionsRoot: keccak256Hex(new Uint8Array(txs.flatMap((t) => [...t.raw]))),
        receiptsRoot: keccak256Hex(new TextEncoder().encode(String(gas))),
        logsBloom: `0x${'00'.repeat(256)}`,
        stateRoot,
      }
    },
    async genesis(alloc, state) {
      for (const [a, v] of Object.entries(alloc))
        await state.putAccount(a as Address, { nonce: v.nonce ?? 0n, balance: v.balance ?? 0n, codeHash: KECCAK_EMPTY })
    },
  }
}

const toyOptions = (create: () => Vm): VmConformanceOptions => ({
  create,
  createState: toyState,
  gas: flatPerGas(1n),
  chainId: 1n,
  genesis: { [senderOf(1)]: { balance: 1n } },
  makeTxs: async () => [new Uint8Array([1, 0, 21]), new Uint8Array([2, 0, 30]), new Uint8Array([1, 1, 21])],
})

runVmConformance({ name: 'toy reference VM', ...toyOptions(() => toyVm()) })

describe('Vm conformance catches broken VMs', () => {
  it('fails a VM whose receipts do not carry a running cumulative gas', async () => {
    const failures = await checkVmConformance(toyOptions(() => toyVm({ cumulativeBug: true })))
    expect(failures.map((f) => f.name)).toEqual([
      'receipts account for every transaction, in order, with cumulative gas',
    ])
  })
})
