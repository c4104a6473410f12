import { ZERO_ADDRESS, ZERO_HASH } from '../constants.js'
import { BaseError } from '../errors/base.js'
import type { GasModel } from '../interfaces/gasModel.js'
import type { StateDb } from '../interfaces/state.js'
import type { Vm } from '../interfaces/vm.js'
import type { BlockContext, GenesisAlloc, TxEnvelope } from '../types.js'
import { type ConformanceCase, check, checkConformance, registerConformance } from './conformance.js'

export interface VmConformanceOptions {
  /** A fresh VM; closed after each case when it has `close`. */
  create(): Vm | Promise<Vm>
  /** A fresh, empty state. */
  createState(): StateDb | Promise<StateDb>
  gas: GasModel
  chainId: bigint
  genesis: GenesisAlloc
  /** Valid signed transactions for one block on top of `genesis` (at least 2, from at least 2 senders). */
  makeTxs(): Promise<Uint8Array[]>
  /** Byte strings this VM must refuse at decode (defaults cover empty, random and truncated input). */
  junk?: Uint8Array[]
  /** Base fee of the test block (defaults to the gas model's genesis fees). */
  ctx?: Partial<BlockContext>
}

export function testBlockContext(opts: VmConformanceOptions, number = 1n): BlockContext {
  return {
    chainId: opts.chainId,
    number,
    timestamp: 1_700_000_000n + number,
    coinbase: ZERO_ADDRESS,
    gasLimit: 30_000_000n,
    fees: opts.gas.genesisFees(),
    prevRandao: ZERO_HASH,
    parentHash: ZERO_HASH,
    ...opts.ctx,
  }
}

async function withVm<T>(opts: VmConformanceOptions, fn: (vm: Vm) => Promise<T>): Promise<T> {
  const vm = await opts.create()
  try {
    return await fn(vm)
  } finally {
    await vm.close?.()
  }
}

async function decodeAll(vm: Vm, opts: VmConformanceOptions, raws: Uint8Array[]): Promise<TxEnvelope[]> {
  const decoded = await vm.decodeTxs(raws, { chainId: opts.chainId })
  return decoded.map((d, i) => {
    if (d instanceof BaseError) throw new Error(`conformance: valid tx ${i} refused: ${d.shortMessage}`)
    return d
  })
}

async function runBlock(vm: Vm, opts: VmConformanceOptions, raws: Uint8Array[]) {
  const state = await opts.createState()
  await vm.genesis(opts.genesis, state)
  const txs = await decodeAll(vm, opts, raws)
  const result = await vm.executeBlock({ ctx: testBlockContext(opts), deposits: [], txs, state, gas: opts.gas })
  return { state, txs, result }
}

/** The cases every `Vm` implementation must pass. */
export function vmConformanceCases(): ConformanceCase<VmConformanceOptions>[] {
  return [
    {
      name: 'decodeTxs refuses junk with a BaseError per item and keeps positions',
      run: (o) =>
        withVm(o, async (vm) => {
          const valid = (await o.makeTxs())[0]!
          const junk = o.junk ?? [
            new Uint8Array(),
            new Uint8Array([0xff, 0x00, 0x13, 0x37]),
            valid.slice(0, valid.length - 3),
          ]
          const out = await vm.decodeTxs([...junk, valid], { chainId: o.chainId })
          check(out.length === junk.length + 1, 'decodeTxs changed the number of items')
          junk.forEach((_, i) => check(out[i] instanceof BaseError, `junk item ${i} was not refused with a BaseError`))
          check(!(out[junk.length] instanceof BaseError), 'a valid tx after junk was refused')
        }),
    },
    {
      name: 'decoded transactions carry hash, sender, raw bytes and size',
      run: (o) =>
        withVm(o, async (vm) => {
          const raws = await o.makeTxs()
          const txs = await decodeAll(vm, o, raws)
          const again = await decodeAll(vm, o, raws)
          txs.forEach((tx, i) => {
            check(/^0x[0-9a-f]{64}$/.test(tx.hash), `tx ${i} hash is not 32-byte lower-case hex`)
            check(/^0x[0-9a-f]{40}$/.test(tx.sender), `tx ${i} sender is not a lower-case address`)
            check(tx.size === raws[i]!.length, `tx ${i} size differs from its encoding`)
            check(tx.hash === again[i]!.hash && tx.sender === again[i]!.sender, `tx ${i} decodes differently twice`)
          })
          check(new Set(txs.map((t) => t.hash)).size === txs.length, 'distinct transactions share a hash')
        }),
    },
    {
      name: 'an empty block leaves the genesis state root unchanged',
      run: (o) =>
        withVm(o, async (vm) => {
          const { state, result } = await runBlock(vm, o, [])
          check(result.receipts.length === 0 && result.gasUsed === 0n, 'empty block produced receipts or gas')
          check(result.stateRoot === (await state.root()), 'reported state root differs from the state')
          const fresh = await o.createState()
          await vm.genesis(o.genesis, fresh)
          check(result.stateRoot === (await fresh.root()), 'empty block changed the state root')
        }),
    },
    {
      name: 'receipts account for every transaction, in order, with cumulative gas',
      run: (o) =>
        withVm(o, async (vm) => {
          const { txs, result, state } = await runBlock(vm, o, await o.makeTxs())
          check(result.receipts.length === result.included.length, 'receipts and included differ in length')
          check(result.included.length + result.excluded.length === txs.length, 'transactions went missing')
          check(result.included.length > 0, 'no valid transaction was included')
          let prev = 0n
          result.receipts.forEach((r, i) => {
            check(r.transactionIndex === i, `receipt ${i} has index ${r.transactionIndex}`)
            check(r.transactionHash === result.included[i]!.hash, `receipt ${i} names another transaction`)
            check(r.cumulativeGasUsed === prev + r.gasUsed, `receipt ${i} cumulative gas is not a running sum`)
            prev = r.cumulativeGasUsed
          })
          check(prev === result.gasUsed, 'block gasUsed differs from the last cumulative gas')
          check(result.stateRoot === (await state.root()), 'reported state root differs from the state')
          check(/^0x[0-9a-f]{64}$/.test(result.receiptsRoot), 'receiptsRoot is not a hash')
        }),
    },
    {
      name: 'execution is deterministic: same inputs, same roots and receipts',
      run: (o) =>
        withVm(o, async (vm) => {
          const raws = await o.makeTxs()
          const a = await runBlock(vm, o, raws)
          const b = await runBlock(vm, o, raws)
          check(a.result.stateRoot === b.result.stateRoot, 'state roots differ between identical runs')
          check(a.result.receiptsRoot === b.result.receiptsRoot, 'receipts roots differ between identical runs')
          check(a.result.transactionsRoot === b.result.transactionsRoot, 'transactions roots differ')
        }),
    },
    {
      name: 'openBlock (when offered): adding one by one then finish equals executeBlock',
      run: (o) =>
        withVm(o, async (vm) => {
          if (!vm.openBlock) return
          const raws = await o.makeTxs()
          const whole = await runBlock(vm, o, raws)
          const state = await o.createState()
          await vm.genesis(o.genesis, state)
          const txs = await decodeAll(vm, o, raws)
          const builder = await vm.openBlock({ ctx: testBlockContext(o), deposits: [], state, gas: o.gas })
          const placed: TxEnvelope[] = []
          for (const tx of txs) {
            const [r] = await builder.add([tx])
            if (r && !(r instanceof BaseError)) {
              check(r.transactionIndex === placed.length, `placed tx has index ${r.transactionIndex}`)
              placed.push(tx)
            }
          }
          check(builder.gasUsed === whole.result.gasUsed, 'builder gasUsed differs from executeBlock')
          const done = await builder.finish()
          check(
            done.included.map((t) => t.hash).join() === placed.map((t) => t.hash).join(),
            'finish() included differs from what add() placed',
          )
          check(done.stateRoot === whole.result.stateRoot, 'incremental state root differs from executeBlock')
          check(done.receiptsRoot === whole.result.receiptsRoot, 'incremental receipts root differs')
          check(done.transactionsRoot === whole.result.transactionsRoot, 'incremental transactions root differs')
        }),
    },
    {
      name: 'a transaction executed once is refused by validateTx afterwards (no replay)',
      run: (o) =>
        withVm(o, async (vm) => {
          const { state, result } = await runBlock(vm, o, await o.makeTxs())
          const tx = result.included[0]!
          let error: unknown
          try {
            await vm.validateTx(tx, state, testBlockContext(o, 2n))
          } catch (e) {
            error = e
          }
          check(error instanceof BaseError, 'a replayed transaction passed validateTx (or failed without a BaseError)')
        }),
    },
  ]
}

/**
 * Registers the `Vm` conformance suite with vitest.
 *
 * @example
 * ```ts
 * runVmConformance({ create: () => evmVm(), createState: () => createStateDb({ db: memoryDb() }), gas, chainId: 1n, genesis, makeTxs })
 * ```
 */
export function runVmConformance(opts: VmConformanceOptions & { name?: string }): void {
  registerConformance(`Vm conformance: ${opts.name ?? 'vm'}`, vmConformanceCases(), opts, { timeout: 120_000 })
}

export function checkVmConformance(opts: VmConformanceOptions) {
  return checkConformance(vmConformanceCases(), opts)
}
