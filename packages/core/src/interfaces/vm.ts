import type { BaseError } from '../errors/base.js'
import type { Address, BlockContext, Deposit, GenesisAlloc, Hex, Receipt, TxEnvelope, Withdrawal } from '../types.js'
import type { Db } from './db.js'
import type { GasModel } from './gasModel.js'
import type { StateDb, StateReader } from './state.js'

export interface BlockExecution {
  /** One per included transaction, in order (deposits first). */
  receipts: Receipt[]
  /** Dropped at execution (nonce gap, quota, funds), never charged. */
  excluded: { hash: Hex; error: BaseError }[]
  /** The transactions that were included, in receipt order. */
  included: TxEnvelope[]
  gasUsed: bigint
  /** Committed in the header's `withdrawalsRoot`. */
  withdrawals: Withdrawal[]
  withdrawalsRoot: Hex
  transactionsRoot: Hex
  receiptsRoot: Hex
  logsBloom: Hex
  stateRoot: Hex
}

/** The result of a call that does not change state (`eth_call`, `eth_estimateGas`). */
export interface CallResult {
  status: 'success' | 'reverted'
  /** Gas a transaction would be charged (after refunds). */
  gasUsed: bigint
  /**
   * Gas consumed before refunds (and at least the calldata floor): the least gas limit that can succeed, a
   * lower bound for `eth_estimateGas` (the 63/64 rule may need a little more). Optional: not every VM reports it.
   */
  gasUsedBeforeRefund?: bigint | undefined
  returnData: Hex
  logs: Receipt['logs']
}

export interface CallRequest {
  from?: Address | undefined
  to?: Address | undefined
  data?: Hex | undefined
  value?: bigint | undefined
  gas?: bigint | undefined
  gasPrice?: bigint | undefined
  maxFeePerGas?: bigint | undefined
  maxPriorityFeePerGas?: bigint | undefined
}

/**
 * An open block that transactions join a batch at a time, so a sequencer can promise a place
 * (preconfirmation) as soon as a transaction has executed. `finish()` must return exactly what
 * `executeBlock` returns for the same `ctx`, `deposits` and the transactions `add` placed, in order,
 * so followers re-executing the block get the same roots.
 */
export interface BlockBuilder<Tx extends TxEnvelope = TxEnvelope> {
  /**
   * Executes `txs` in order after everything already placed. Per transaction: its receipt (it is now in the
   * block at `receipt.transactionIndex`, which counts deposits first) or the typed error that kept it out,
   * in which case it left no trace in the state.
   */
  add(txs: Tx[]): Promise<(Receipt | BaseError)[]>
  /** Gas used by everything placed so far. */
  readonly gasUsed: bigint
  /** Closes the block: withdrawals and roots; the state then holds the post state with its root computed. */
  finish(): Promise<BlockExecution>
  /** Throws the block away, closing any checkpoint the builder opened (required if it opens any). */
  abort?(): void
}

/** A JSON-RPC handler contributed by a VM (the parallel VM's `appchain_*` methods). */
export type RpcHandler = (params: unknown[], ctx: { state: StateReader; chainId: bigint }) => Promise<unknown>

/**
 * An execution layer. The sequencer and node only ever talk to a VM through this interface,
 * so the EVM, the parallel VM and the UTXO VM are interchangeable.
 */
export interface Vm<Tx extends TxEnvelope = TxEnvelope> {
  /** 'evm' | 'parallel' | 'utxo' | custom. */
  readonly kind: string
  /**
   * Decodes raw transactions: stateless checks (size, encoding, signature, chain id) and sender recovery,
   * batched and in parallel. Each result is the transaction or the typed error that refused it.
   */
  decodeTxs(raws: Uint8Array[], opts: { chainId: bigint }): Promise<(Tx | BaseError)[]>
  /**
   * Stateful admission: nonce, funds, gas limits. Throws typed errors. With the chain's gas model, the funds
   * check follows its `upfront` payer (a paymaster pays the gas, the sender only the value).
   */
  validateTx(tx: Tx, state: StateReader, ctx: BlockContext, gas?: GasModel): Promise<void>
  /** Executes a block on `state` (left holding the post state, root computed). */
  executeBlock(input: {
    ctx: BlockContext
    deposits: Deposit[]
    txs: Tx[]
    state: StateDb
    gas: GasModel
  }): Promise<BlockExecution>
  /**
   * Opens a block for incremental building (deposits execute first). Optional: sequencers fall back to
   * `executeBlock`; VMs that offer it make preconfirmations cheap.
   */
  openBlock?(input: {
    ctx: BlockContext
    deposits: Deposit[]
    state: StateDb
    gas: GasModel
  }): Promise<BlockBuilder<Tx>>
  /**
   * Opens the world state this VM executes best on (the parallel VM's worker-held account shards), over the chain's
   * Db at `root` (the last flushed root; undefined: the empty state, before genesis). Optional: a node uses it when its
   * config names no `state`, else its default `StateDb`. The state's `close()` (if any) runs when the node stops.
   */
  openState?(db: Db, opts: { root?: Hex | undefined }): Promise<StateDb & { close?(): Promise<void> }>
  /** Writes the genesis allocation. */
  genesis(alloc: GenesisAlloc, state: StateDb): Promise<void>
  /** Runs a call without committing (EVM: `eth_call`); VMs without calls omit it. */
  call?(request: CallRequest, state: StateDb, ctx: BlockContext): Promise<CallResult>
  /** VM-specific JSON-RPC methods. */
  rpc?: Record<string, RpcHandler> | undefined
  /** Releases worker pools. */
  close?(): Promise<void>
}
