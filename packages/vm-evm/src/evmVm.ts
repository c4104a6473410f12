import {
  type Address,
  BaseError,
  type BlockBuilder,
  type BlockExecution,
  blockGasStore,
  logsBloom as bloomOf,
  type CallRequest,
  type CallResult,
  stateGasStore as coreStateGasStore,
  type Deposit,
  GasLimitExceedsBlockLimitError,
  type GasModel,
  type GenesisAlloc,
  InvalidSignatureError,
  InvalidTransactionEncodingError,
  KECCAK_EMPTY,
  keccak256,
  NonceTooLowError,
  PREDEPLOYS,
  SenderNotEoaError,
  type StateDb,
  type StateReader,
  type Vm,
  type Withdrawal,
} from '@appchain/core'
import { keccakReady } from '@appchain/state'
import { type EVM, EVMError } from '@ethereumjs/evm'
import { Account, Address as EjsAddress } from '@ethereumjs/util'
import type { EvmBlockContext } from './blockContext.js'
import { BlockExecutor, checkFunds, depositEnvelope } from './blockExecutor.js'
import { createInterpreter } from './createInterpreter.js'
import { checkFeeCap, decodeTx, withSender } from './decodeTx.js'
import type { EvmTx } from './evmTx.js'
import { stateGasStore } from './gasStore.js'
import { assertHardfork, type Hardfork } from './hardfork.js'
import { toHex as bytesToHex, fromHex as hexToBytes } from './hex.js'
import { calldataFloorGas, intrinsicGas } from './intrinsicGas.js'
import { MESSAGE_PASSER_CODE, type MessagePasserConfig, withdrawalFromLog } from './messagePasser.js'
import { receiptsRoot, transactionsRoot, withdrawalsRoot } from './receipts.js'
import { defaultRecoverer } from './recoverAddress.js'
import { type SenderRecoveryConfig, senderRecovery } from './senderRecovery.js'
import { StateAdapter } from './stateAdapter.js'

/** Transactions decoded per recovery batch. */
const DECODE_CHUNK = 1024

/** Configuration of `evmVm`. */
export interface EvmVmConfig {
  /** Ethereum rules to execute with (default 'prague'). */
  hardfork?: Hardfork | undefined
  /** Accept legacy transactions without EIP-155 replay protection (default false). */
  allowUnprotected?: boolean | undefined
  /** Largest accepted raw transaction in bytes (default 128 KiB). */
  maxTxSize?: number | undefined
  /** Sender recovery: worker count, inline threshold, backend. */
  recovery?: SenderRecoveryConfig | undefined
  /** The L2→L1 message passer predeploy and its withdrawal hook. */
  messagePasser?: MessagePasserConfig | undefined
  /** Write the message passer's code at genesis (default true). */
  predeploys?: boolean | undefined
}

/** The EVM `Vm`, plus what the node and tools use beyond the interface. */
export interface EvmVm extends Vm<EvmTx> {
  readonly kind: 'evm'
  readonly hardfork: Hardfork
  /** Executes a block (see `Vm.executeBlock`); the context may carry `excessBlobGas`. */
  executeBlock(input: {
    ctx: EvmBlockContext
    deposits: Deposit[]
    txs: EvmTx[]
    state: StateDb
    gas: GasModel
  }): Promise<BlockExecution>
  /** Incremental block building (see `Vm.openBlock`); `executeBlock` is open + add + finish. */
  openBlock?(input: {
    ctx: EvmBlockContext
    deposits: Deposit[]
    state: StateDb
    gas: GasModel
  }): Promise<BlockBuilder<EvmTx>>
  call(request: CallRequest, state: StateDb, ctx: EvmBlockContext): Promise<CallResult>
  close(): Promise<void>
}

/**
 * The EVM execution layer: Ethereum transactions (legacy, EIP-2930, EIP-1559, EIP-7702; blob transactions
 * refused), senders recovered in parallel on worker threads, and the `@ethereumjs/evm` interpreter running
 * on our `StateDb`, with fees through the chain's `GasModel`, L1 deposits first in every block and
 * withdrawals recorded by the message passer predeploy.
 *
 * @example
 * ```ts
 * import { evmVm } from '@appchain/vm-evm'
 * const vm = evmVm({ hardfork: 'prague' })
 * const [tx] = await vm.decodeTxs([raw], { chainId: 4242n })
 * const result = await vm.executeBlock({ ctx, deposits: [], txs: [tx], state, gas })
 * await vm.close()
 * ```
 */
export function evmVm(config: EvmVmConfig = {}): EvmVm {
  const hardfork = config.hardfork ?? 'prague'
  assertHardfork(hardfork)
  const allowUnprotected = config.allowUnprotected ?? false
  const passer = config.messagePasser?.address ?? PREDEPLOYS.l2ToL1MessagePasser
  const recovery = senderRecovery(config.recovery)
  const recover = defaultRecoverer()
  const adapter = new StateAdapter(undefined as unknown as StateDb)
  const evms = new Map<bigint, Promise<EVM>>()
  let blockHashes: EvmBlockContext['getBlockHash']
  const hashSource = {
    getBlockHash: (n: bigint) => {
      const h = blockHashes?.(n)
      return h ? hexToBytes(h) : undefined
    },
  }
  const evmFor = (chainId: bigint) => {
    let e = evms.get(chainId)
    if (!e) {
      e = createInterpreter({ chainId, hardfork, stateManager: adapter, blockHashes: hashSource })
      evms.set(chainId, e)
    }
    return e
  }
  // One block or call at a time: they share the interpreter and its journal.
  let lock: Promise<unknown> = Promise.resolve()
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = lock.then(fn, fn)
    lock = run.catch(() => undefined)
    return run
  }
  const bind = async (state: StateDb, ctx: EvmBlockContext) => {
    ;(adapter as { state: StateDb }).state = state
    const evm = await evmFor(ctx.chainId)
    adapter.clearCaches()
    blockHashes = ctx.getBlockHash
    return evm
  }

  /**
   * A block under construction: deposits run at open, transactions are placed by `add` (each one final once
   * placed, or refused without a trace), `finish` computes withdrawals and roots. Every step takes the VM's
   * lock and rebinds the interpreter to this block's state, so a `call` on another state may run in between.
   */
  const openBlock = async ({
    ctx,
    deposits,
    state,
    gas,
  }: {
    ctx: EvmBlockContext
    deposits: Deposit[]
    state: StateDb
    gas: GasModel
  }): Promise<BlockBuilder<EvmTx>> => {
    // One write-back cache per block: written to the state once, in `finish`, before the state root.
    const store = blockGasStore(stateGasStore(state))
    const receipts: BlockExecution['receipts'] = []
    const included: BlockExecution['included'] = []
    const excluded: BlockExecution['excluded'] = []
    const withdrawals: Withdrawal[] = []
    let exec: BlockExecutor | undefined
    let finished = false
    const step = <T>(fn: (exec: BlockExecutor) => Promise<T>) =>
      exclusive(async () => {
        if (finished) throw new TypeError('The block is already finished')
        const evm = await bind(state, ctx)
        exec ??= new BlockExecutor({ evm, adapter, hardfork, chainId: ctx.chainId, recover }, ctx, state, gas, store)
        return fn(exec)
      })
    const collect = async (r: BlockExecution['receipts'][number]) => {
      for (const log of r.logs) {
        const w = withdrawalFromLog(log, passer)
        if (!w) continue
        withdrawals.push(w)
        await config.messagePasser?.onWithdrawal?.(w, { blockNumber: ctx.number })
      }
    }
    await step(async (e) => {
      for (const d of deposits) {
        const env = depositEnvelope(d)
        const { receipt } = await e.applyDeposit(d, env, receipts.length)
        receipts.push(receipt)
        included.push(env)
        await collect(receipt)
      }
    })
    return {
      get gasUsed() {
        return exec?.gasUsed ?? 0n
      },
      add: (txs) =>
        step(async (e) => {
          const out: (BlockExecution['receipts'][number] | BaseError)[] = []
          await e.prefetch(txs)
          for (const tx of txs) {
            try {
              const { receipt } = await e.applyTx(tx, receipts.length)
              receipts.push(receipt)
              included.push(tx)
              out.push(receipt)
              await collect(receipt)
            } catch (err) {
              if (!(err instanceof BaseError)) throw err
              excluded.push({ hash: tx.hash, error: err })
              out.push(err)
            }
          }
          return out
        }),
      finish: () =>
        step(async (e) => {
          finished = true
          await gas.observeBlock?.({ blockNumber: ctx.number, txs: included, store })
          await store.flush()
          const bloom = new Uint8Array(256)
          for (const r of receipts) {
            const b = hexToBytes(r.logsBloom)
            for (let i = 0; i < 256; i++) bloom[i]! |= b[i]!
          }
          return {
            receipts,
            excluded,
            included,
            gasUsed: e.gasUsed,
            withdrawals,
            withdrawalsRoot: withdrawalsRoot(withdrawals),
            transactionsRoot: transactionsRoot(included.map((t) => t.raw)),
            receiptsRoot: receiptsRoot(receipts),
            logsBloom: bytesToHex(bloom),
            stateRoot: await state.root(),
          }
        }),
      abort() {
        // Each placed transaction committed its own checkpoint; the caller's checkpoint holds the block.
        finished = true
      },
    }
  }

  return {
    kind: 'evm',
    hardfork,

    async decodeTxs(raws, opts) {
      const out: (EvmTx | BaseError)[] = new Array(raws.length)
      // Transaction and signing hashes on the WebAssembly keccak (same output as the fallback, ~5x faster).
      await keccakReady()
      // Decode in chunks and hand each chunk's signatures to the recovery pool at once, so decoding on this
      // thread overlaps with recovery on the workers.
      const jobs: Promise<void>[] = []
      for (let from = 0; from < raws.length; from += DECODE_CHUNK) {
        const pending: { i: number; tx: Omit<EvmTx, 'sender'> }[] = []
        for (let i = from; i < Math.min(raws.length, from + DECODE_CHUNK); i++) {
          try {
            const tx = decodeTx(raws[i]!, {
              chainId: opts.chainId,
              hardfork,
              allowUnprotected,
              maxSize: config.maxTxSize,
            })
            pending.push({ i, tx })
          } catch (e) {
            out[i] =
              e instanceof BaseError ? e : new InvalidTransactionEncodingError((e as Error).message, { cause: e })
          }
        }
        jobs.push(
          recovery.recover(pending.map((p) => p.tx.signature)).then((senders) => {
            pending.forEach(({ i, tx }, j) => {
              const s = senders[j]
              out[i] = s ? withSender(tx, bytesToHex(s)) : new InvalidSignatureError('public key cannot be recovered')
            })
          }),
        )
      }
      await Promise.all(jobs)
      return out
    },

    async validateTx(tx: EvmTx, state: StateReader, ctx, gas?: GasModel) {
      if (tx.gasLimit > ctx.gasLimit)
        throw new GasLimitExceedsBlockLimitError({ gasLimit: tx.gasLimit, blockGasLimit: ctx.gasLimit })
      checkFeeCap(tx, ctx.fees.baseFeePerGas)
      const acct = await state.getAccount(tx.sender)
      const nonce = acct?.nonce ?? 0n
      if (tx.nonce < nonce) throw new NonceTooLowError({ address: tx.sender, nonce: tx.nonce, expected: nonce })
      if (acct && acct.codeHash !== KECCAK_EMPTY) {
        const code = await state.getCode(tx.sender)
        const delegated =
          hardfork === 'prague' && code.length === 23 && code[0] === 0xef && code[1] === 0x01 && code[2] === 0
        if (!delegated) throw new SenderNotEoaError({ address: tx.sender })
      }
      const balance = acct?.balance ?? 0n
      const balanceOf = async (a: Address) => (await state.getAccount(a))?.balance ?? 0n
      // Without the gas model the sender is the payer (Ethereum's rule). With it, ask `upfront` who pays, on a
      // throwaway store (never flushed: admission changes nothing).
      const upfront = gas
        ? await gas.upfront(tx, {
            blockNumber: ctx.number,
            coinbase: ctx.coinbase,
            fees: ctx.fees,
            balanceOf,
            store: blockGasStore(coreStateGasStore(state)),
          })
        : { payer: tx.sender, amount: 0n }
      await checkFunds(tx, balance, upfront, balanceOf)
    },

    async executeBlock({ ctx, deposits, txs, state, gas }) {
      const builder = await openBlock({ ctx, deposits, state, gas })
      await builder.add(txs)
      return builder.finish()
    },

    openBlock(input) {
      return openBlock(input)
    },

    async genesis(alloc: GenesisAlloc, state: StateDb) {
      const entries = Object.entries(alloc) as [Address, GenesisAlloc[Address]][]
      if (config.predeploys !== false && !(passer in alloc))
        entries.push([passer, { code: MESSAGE_PASSER_CODE, nonce: 1n }])
      for (const [address, a] of entries) {
        const addr = address.toLowerCase() as Address
        const code = a.code ? hexToBytes(a.code) : new Uint8Array()
        await state.putAccount(addr, {
          nonce: a.nonce ?? 0n,
          balance: a.balance ?? 0n,
          codeHash: code.length ? bytesToHex(keccak256(code)) : KECCAK_EMPTY,
        })
        if (code.length) await state.putCode(addr, code)
        for (const [slot, value] of Object.entries(a.storage ?? {}))
          await state.putStorage(addr, slot as `0x${string}`, `0x${BigInt(value).toString(16).padStart(64, '0')}`)
      }
      await state.root()
    },

    call(request, state, ctx) {
      return exclusive(async () => {
        const evm = await bind(state, ctx)
        const from = (request.from ?? '0x0000000000000000000000000000000000000000').toLowerCase() as Address
        const data = request.data ? hexToBytes(request.data) : new Uint8Array()
        const to = request.to ? (request.to.toLowerCase() as Address) : null
        const intrinsic = intrinsicGas({ to, data, accessList: [] })
        const floor = calldataFloorGas(data, hardfork)
        const gasLimit = request.gas ?? ctx.gasLimit
        // A transaction with less than the intrinsic gas or the EIP-7623 floor is refused at decoding.
        if (gasLimit < intrinsic || gasLimit < floor)
          return { status: 'reverted', gasUsed: gasLimit, gasUsedBeforeRefund: gasLimit, returnData: '0x', logs: [] }
        const caller = new EjsAddress(hexToBytes(from))
        const journal = evm.journal
        await journal.cleanup()
        for (const p of evm.precompiles.keys()) journal.addAlwaysWarmAddress(p)
        journal.addAlwaysWarmAddress(from)
        if (to) journal.addAlwaysWarmAddress(to)
        journal.addAlwaysWarmAddress(ctx.coinbase)
        await journal.checkpoint()
        try {
          const acct = (await adapter.getAccount(caller)) ?? new Account()
          acct.nonce += 1n
          await journal.putAccount(caller, acct)
          const exec = new BlockExecutor(
            { evm, adapter, hardfork, chainId: ctx.chainId, recover },
            ctx,
            state,
            {} as GasModel,
            blockGasStore(stateGasStore(state)),
          )
          const result = await evm.runCall({
            block: exec.block,
            gasPrice: request.gasPrice ?? request.maxFeePerGas ?? 0n,
            caller,
            gasLimit: gasLimit - intrinsic,
            ...(to ? { to: new EjsAddress(hexToBytes(to)) } : {}),
            value: request.value ?? 0n,
            data,
            skipNonceIncrement: true,
          })
          const r = result.execResult
          const consumed = intrinsic + r.executionGasUsed
          const refund = r.gasRefund ?? 0n
          let used = consumed - (refund < consumed / 5n ? refund : consumed / 5n)
          if (used < floor) used = floor
          const logs = (r.logs ?? []).map(([a, t, d]) => ({
            address: bytesToHex(a),
            topics: t.map((x) => bytesToHex(x)),
            data: bytesToHex(d),
          }))
          void bloomOf
          return {
            status: r.exceptionError ? 'reverted' : 'success',
            gasUsed: used,
            gasUsedBeforeRefund: consumed < floor ? floor : consumed,
            returnData: bytesToHex(r.returnValue),
            logs: r.exceptionError ? [] : logs,
            ...(r.exceptionError && r.exceptionError.error !== EVMError.errorMessages.REVERT
              ? { error: r.exceptionError.error }
              : {}),
          } as CallResult
        } finally {
          await journal.revert()
          journal.cleanJournal()
          adapter.originalStorageCache.clear()
        }
      })
    },

    async close() {
      await recovery.close()
    },
  }
}
