import {
  type Account,
  type Address,
  BaseError,
  type BlockGasStore,
  type ChargeContext,
  concatBytes,
  createBloom,
  type Deposit,
  GasLimitExceedsBlockLimitError,
  type GasModel,
  type Hex,
  InsufficientFundsError,
  KECCAK_EMPTY,
  keccak256,
  type Log,
  NonceTooHighError,
  NonceTooLowError,
  PaymasterInsufficientFundsError,
  type Receipt,
  SenderNotEoaError,
  type StateDb,
  type TxEnvelope,
  UnknownFeeTokenError,
} from '@appchain/core'
import { keccak256 as wasmKeccak256 } from '@appchain/state'
import { type EVM, EVMError } from '@ethereumjs/evm'
import { Account as EjsAccount, Address as EjsAddress } from '@ethereumjs/util'
import { toRlp } from 'viem'
import { blobGasPrice, type EvmBlockContext } from './blockContext.js'
import { checkFeeCap, SECP256K1_N_DIV_2 } from './decodeTx.js'
import { BlockGasExhaustedError } from './errors.js'
import type { Authorization, EvmTx } from './evmTx.js'
import { type Hardfork, isActive } from './hardfork.js'
import { toHex as bytesToHex, fromHex as hexToBytes } from './hex.js'
import { calldataFloorGas, intrinsicGas } from './intrinsicGas.js'
import { rememberRawParts } from './receipts.js'
import { type AddressRecoverer, compactSignature } from './recoverAddress.js'
import type { StateAdapter } from './stateAdapter.js'

const EMPTY_BLOOM: Hex = `0x${'00'.repeat(256)}`
const EMPTY_BLOOM_BYTES = new Uint8Array(256)
const NO_LOGS: [] = []
type RawLog = [Uint8Array, Uint8Array[], Uint8Array]
const DELEGATION_PREFIX = new Uint8Array([0xef, 0x01, 0x00])
const MAX_UINT64 = 2n ** 64n - 1n
const ZERO20 = new Uint8Array(20)

/** What one executed transaction or deposit leaves behind. */
export interface TxOutcome {
  receipt: Receipt
  /** Gas counted against the block. */
  gasUsed: bigint
}

/** The pieces of a VM instance a block run needs. */
export interface ExecutorParts {
  evm: EVM
  adapter: StateAdapter
  hardfork: Hardfork
  chainId: bigint
  recover: AddressRecoverer
}

function isDelegation(code: Uint8Array): boolean {
  return code.length === 23 && code[0] === 0xef && code[1] === 0x01 && code[2] === 0x00
}

function ejsLogs(logs: [Uint8Array, Uint8Array[], Uint8Array][] | undefined): Log[] {
  if (!logs) return []
  return logs.map(([address, topics, data]) => ({
    address: bytesToHex(address),
    topics: topics.map((t) => bytesToHex(t)),
    data: bytesToHex(data),
  }))
}

/** Adds one item to a bloom in place, as core's `addToBloom`, on the WebAssembly keccak. */
function addToBloom(bloom: Uint8Array, item: Uint8Array): void {
  const h = wasmKeccak256(item)
  for (let i = 0; i < 6; i += 2) {
    const bit = ((h[i]! << 8) | h[i + 1]!) & 2047
    bloom[255 - (bit >> 3)]! |= 1 << (bit & 7)
  }
}

/** The logs bloom straight from the interpreter's byte logs (no hex round trip). */
function bloomOfRaw(logs: RawLog[] | undefined): Uint8Array {
  if (!logs || logs.length === 0) return EMPTY_BLOOM_BYTES
  const bloom = createBloom()
  for (const [address, topics] of logs) {
    addToBloom(bloom, address)
    for (const t of topics) addToBloom(bloom, t)
  }
  return bloom
}

function effectiveGasPrice(tx: TxEnvelope, baseFee: bigint): bigint {
  const withTip = baseFee + tx.fee.maxPriorityFeePerGas
  return tx.fee.maxFeePerGas < withTip ? tx.fee.maxFeePerGas : withTip
}

/** RLP of a deposit as an OP-Stack deposit transaction (type 0x7e), so it has a hash and a place in the tx root. */
export function encodeDeposit(d: Deposit): Uint8Array {
  const u = (v: bigint) => (v === 0n ? new Uint8Array() : hexToBytes(v.toString(16)))
  return concatBytes(
    new Uint8Array([0x7e]),
    toRlp(
      [
        hexToBytes(d.sourceHash),
        hexToBytes(d.from),
        d.isCreation ? new Uint8Array() : hexToBytes(d.to),
        u(d.mint),
        u(d.value),
        u(d.gasLimit),
        new Uint8Array(),
        hexToBytes(d.data),
      ],
      'bytes',
    ),
  )
}

/**
 * The funds rule, shared by `validateTx` and execution. When the sender pays its own gas, Ethereum's rule: it
 * must hold gasLimit × maxFeePerGas + value even if the model holds less. When the gas model's `upfront` names
 * another payer (a paymaster), the sender needs only `value` and the payer the up-front amount.
 */
export async function checkFunds(
  tx: EvmTx,
  senderBalance: bigint,
  upfront: { payer: Address; amount: bigint; exact?: boolean | undefined },
  balanceOf: (a: Address) => Promise<bigint>,
): Promise<void> {
  if (upfront.payer === tx.sender) {
    // Ethereum's rule, unless the model says `amount` is all it will ever charge (`exact`: a free tier).
    const maxFee = upfront.exact === true ? 0n : tx.gasLimit * tx.fee.maxFeePerGas
    const cost = (maxFee > upfront.amount ? maxFee : upfront.amount) + tx.value
    if (senderBalance < cost) throw new InsufficientFundsError({ address: tx.sender, balance: senderBalance, cost })
    return
  }
  const payerBalance = await balanceOf(upfront.payer)
  if (payerBalance < upfront.amount)
    throw new PaymasterInsufficientFundsError({ paymaster: upfront.payer, balance: payerBalance, cost: upfront.amount })
  if (senderBalance < tx.value)
    throw new InsufficientFundsError({ address: tx.sender, balance: senderBalance, cost: tx.value })
}

/**
 * Executes the transactions of one block on the interpreter, one at a time, with Ethereum's rules for
 * validity, gas and refunds, and the fee flow of the configured `GasModel` (`upfront` held before
 * execution, `charge` settled after: refund to the payer, credits to their recipients).
 */
export class BlockExecutor {
  readonly parts: ExecutorParts
  readonly ctx: EvmBlockContext
  readonly state: StateDb
  readonly gas: GasModel
  readonly store: BlockGasStore
  readonly chargeCtx: ChargeContext
  readonly block: NonNullable<Parameters<EVM['runCall']>[0]['block']>
  readonly coinbase: EjsAddress
  gasUsed = 0n
  /**
   * Native balances as the state holds them between transactions, for the gas model's `peekBalance` (a
   * paymaster's funds check without a state read per transaction). Filled by the model's `balanceOf` reads
   * and kept current by the transfer fast path, which writes every account it touches; emptied, and not
   * filled, while anything else (the interpreter, a deposit) runs.
   */
  private readonly balances = new Map<Address, bigint>()
  private cacheBalances = true
  private readonly precompiles: string[]
  private readonly precompileSet: Set<string>

  constructor(parts: ExecutorParts, ctx: EvmBlockContext, state: StateDb, gas: GasModel, store: BlockGasStore) {
    this.parts = parts
    this.ctx = ctx
    this.state = state
    this.gas = gas
    this.store = store
    this.coinbase = new EjsAddress(hexToBytes(ctx.coinbase))
    const blobPrice = blobGasPrice(ctx.excessBlobGas ?? 0n, parts.hardfork)
    this.block = {
      header: {
        number: ctx.number,
        coinbase: this.coinbase,
        timestamp: ctx.timestamp,
        difficulty: 0n,
        prevRandao: hexToBytes(ctx.prevRandao),
        gasLimit: ctx.gasLimit,
        baseFeePerGas: ctx.fees.baseFeePerGas,
        getBlobGasPrice: () => blobPrice,
      },
    }
    this.chargeCtx = {
      blockNumber: ctx.number,
      coinbase: ctx.coinbase,
      fees: ctx.fees,
      balanceOf: async (a) => {
        const balance = (await state.getAccount(a))?.balance ?? 0n
        if (this.cacheBalances) this.balances.set(a.toLowerCase() as Address, balance)
        return balance
      },
      peekBalance: (a) => this.balances.get(a),
      store,
    }
    this.precompiles = [...parts.evm.precompiles.keys()]
    this.precompileSet = new Set(this.precompiles.map((p) => `0x${p.replace(/^0x/, '').padStart(40, '0')}`))
  }

  /**
   * The transfer fast path: same state transitions as the interpreter path (sender debit and nonce,
   * value, fee settlement, EIP-161 removal of touched empty accounts) without a call frame or journal.
   */
  private async applyTransfer(
    tx: EvmTx,
    index: number,
    upfront: { payer: Address; amount: bigint },
  ): Promise<TxOutcome> {
    const state = this.state
    const touched = new Map<Address, { a: Account | undefined; existed: boolean }>()
    const load = async (addr: Address) => {
      let t = touched.get(addr)
      if (!t) {
        const a = await state.getAccount(addr)
        t = { a, existed: a !== undefined }
        touched.set(addr, t)
      }
      return t
    }
    const add = async (addr: Address, delta: bigint, nonce = 0n) => {
      const t = await load(addr)
      const a = t.a ?? { nonce: 0n, balance: 0n, codeHash: KECCAK_EMPTY }
      t.a = { nonce: a.nonce + nonce, balance: a.balance + delta, codeHash: a.codeHash }
    }
    const flush = async () => {
      for (const [addr, t] of touched) {
        const a = t.a!
        if (a.nonce === 0n && a.balance === 0n && a.codeHash === KECCAK_EMPTY) {
          if (t.existed) await state.putAccount(addr, undefined)
          t.existed = false
        } else {
          await state.putAccount(addr, a)
          t.existed = true
        }
        this.balances.set(addr.toLowerCase() as Address, a.balance)
      }
    }
    const to = tx.to as Address
    await add(upfront.payer, -upfront.amount)
    await add(tx.sender, -tx.value, 1n)
    await add(to, tx.value)
    await flush()
    let used = intrinsicGas({ to, data: tx.data, accessList: tx.accessList })
    const floor = calldataFloorGas(tx.data, this.parts.hardfork)
    if (used < floor) used = floor
    const charge = this.gas.chargeSync?.(tx, used, this.chargeCtx) ?? (await this.gas.charge(tx, used, this.chargeCtx))
    touched.clear()
    await add(upfront.payer, upfront.amount - charge.amount)
    for (const credit of charge.credits) await add(credit.to, credit.amount)
    await add(this.ctx.coinbase, 0n)
    await flush()
    this.gasUsed += used
    const receipt: Receipt = {
      transactionHash: tx.hash,
      transactionIndex: index,
      type: tx.type,
      from: tx.sender,
      to,
      status: 'success',
      gasUsed: used,
      cumulativeGasUsed: this.gasUsed,
      effectiveGasPrice: charge.effectiveGasPrice,
      logs: [],
      logsBloom: EMPTY_BLOOM,
      contractAddress: null,
    }
    rememberRawParts(receipt, NO_LOGS, EMPTY_BLOOM_BYTES)
    if (charge.l1Fee !== undefined) receipt.l1Fee = charge.l1Fee
    if (charge.payer !== tx.sender) receipt.feePayer = charge.payer
    return { receipt, gasUsed: used }
  }

  /**
   * Lets the gas model load the store keys `txs` will need in one batched read (its `prefetch`), so its sync
   * variants answer them without an await per sender. Reads only: changes no result.
   */
  async prefetch(txs: readonly EvmTx[]): Promise<void> {
    if (this.gas.prefetch !== undefined && txs.length > 0)
      await this.gas.prefetch(txs, { blockNumber: this.ctx.number, store: this.store })
  }

  /** Checks that need the state but change nothing; throws the typed error that excludes the transaction. */
  async validate(tx: EvmTx, remainingGas: bigint): Promise<Account | undefined> {
    if (tx.gasLimit > this.ctx.gasLimit)
      throw new GasLimitExceedsBlockLimitError({ gasLimit: tx.gasLimit, blockGasLimit: this.ctx.gasLimit })
    if (tx.gasLimit > remainingGas) throw new BlockGasExhaustedError({ gasLimit: tx.gasLimit, remaining: remainingGas })
    checkFeeCap(tx, this.ctx.fees.baseFeePerGas)
    const acct = await this.state.getAccount(tx.sender)
    const nonce = acct?.nonce ?? 0n
    if (acct && acct.codeHash !== KECCAK_EMPTY) {
      const delegated = isActive(this.parts.hardfork, 'prague') && isDelegation(await this.state.getCode(tx.sender))
      if (!delegated) throw new SenderNotEoaError({ address: tx.sender })
    }
    if (tx.nonce < nonce) throw new NonceTooLowError({ address: tx.sender, nonce: tx.nonce, expected: nonce })
    if (tx.nonce > nonce) throw new NonceTooHighError({ address: tx.sender, nonce: tx.nonce, expected: nonce })
    if (nonce >= MAX_UINT64) throw new NonceTooHighError({ address: tx.sender, nonce: tx.nonce, expected: nonce })
    return acct
  }

  /**
   * Executes one transaction. Throws a `BaseError` (the transaction is excluded, nothing changed) when it
   * is invalid in this block: block gas, fee cap, nonce, sender with code, funds. The gas model's store
   * writes (upfront, charge) are kept only when the transaction is placed.
   */
  async applyTx(tx: EvmTx, index: number): Promise<TxOutcome> {
    this.store.checkpoint()
    this.cacheBalances = true
    try {
      const out = await this.runTx(tx, index)
      this.store.commit()
      return out
    } catch (e) {
      this.store.revert()
      this.balances.clear()
      throw e
    }
  }

  private async runTx(tx: EvmTx, index: number): Promise<TxOutcome> {
    const { evm, adapter, hardfork } = this.parts
    const journal = evm.journal
    const senderAcct = await this.validate(tx, this.ctx.gasLimit - this.gasUsed)
    // The model's sync variants first (no promise when it answers from memory), as for charge below.
    const upfront = this.gas.upfrontSync?.(tx, this.chargeCtx) ?? (await this.gas.upfront(tx, this.chargeCtx))
    try {
      if (upfront.token !== undefined) throw new UnknownFeeTokenError({ token: upfront.token, accepted: ['native'] })
      await checkFunds(
        tx,
        senderAcct?.balance ?? 0n,
        upfront,
        async (a) => (await this.state.getAccount(a))?.balance ?? 0n,
      )
    } catch (e) {
      // Excluded after upfront: the model drops what it holds for the transaction (a quota reservation).
      this.gas.release?.(tx, this.chargeCtx)
      throw e
    }

    // A plain value transfer to an account without code runs no bytecode: settle it on the state directly.
    if (tx.to !== null && tx.authorizationList === undefined && !this.precompileSet.has(tx.to)) {
      const target = tx.to === tx.sender ? senderAcct : await this.state.getAccount(tx.to)
      if (target === undefined || target.codeHash === KECCAK_EMPTY) return this.applyTransfer(tx, index, upfront)
    }

    // The interpreter may change any balance: the cache is empty until the next transaction.
    this.balances.clear()
    this.cacheBalances = false
    const caller = new EjsAddress(hexToBytes(tx.sender))
    const payer = upfront.payer === tx.sender ? caller : new EjsAddress(hexToBytes(upfront.payer))
    const to = tx.to === null ? undefined : new EjsAddress(hexToBytes(tx.to))
    const intrinsic = intrinsicGas({
      to: tx.to,
      data: tx.data,
      accessList: tx.accessList,
      authorizationCount: tx.authorizationList?.length,
    })
    const floor = calldataFloorGas(tx.data, hardfork)

    // Transfers and the gas store write the StateDb directly: start from its accounts.
    adapter.forgetAccounts()
    await journal.cleanup()
    for (const p of this.precompiles) journal.addAlwaysWarmAddress(p)
    journal.addAlwaysWarmAddress(tx.sender)
    if (tx.to !== null) journal.addAlwaysWarmAddress(tx.to)
    journal.addAlwaysWarmAddress(this.ctx.coinbase)
    for (const item of tx.accessList) {
      journal.addAlwaysWarmAddress(item.address, true)
      for (const key of item.storageKeys) journal.addAlwaysWarmSlot(item.address, key, true)
    }
    await journal.checkpoint()
    try {
      // Hold the up-front fee, bump the nonce.
      if (payer !== caller) {
        const pa = (await adapter.getAccount(payer)) ?? new EjsAccount()
        pa.balance -= upfront.amount
        await journal.putAccount(payer, pa)
      }
      const sa = (await adapter.getAccount(caller)) ?? new EjsAccount()
      if (payer === caller) sa.balance -= upfront.amount
      sa.nonce += 1n
      await journal.putAccount(caller, sa)

      let gasLimit = tx.gasLimit - intrinsic
      let authRefund = 0n
      await journal.checkpoint()
      if (tx.authorizationList) authRefund = await this.applyAuthorizations(tx.authorizationList)
      const price = effectiveGasPrice(tx, this.ctx.fees.baseFeePerGas)
      let result: Awaited<ReturnType<EVM['runCall']>>
      try {
        result = await evm.runCall({
          block: this.block,
          gasPrice: price,
          caller,
          gasLimit,
          ...(to ? { to } : {}),
          value: tx.value,
          data: tx.data,
          skipNonceIncrement: true,
        })
      } catch (e) {
        await journal.revert()
        throw e
      }
      await journal.commit()
      gasLimit = 0n

      const exec = result.execResult
      let used = intrinsic + exec.executionGasUsed
      const refund = authRefund + (exec.gasRefund ?? 0n)
      const maxRefund = used / 5n
      used -= refund < maxRefund ? refund : maxRefund
      if (used < floor) used = floor

      const charge =
        this.gas.chargeSync?.(tx, used, this.chargeCtx) ?? (await this.gas.charge(tx, used, this.chargeCtx))
      // Settle: give the payer back what it held beyond the charge, then pay the recipients.
      const back = upfront.amount - charge.amount
      if (back !== 0n) {
        const pa = (await adapter.getAccount(payer)) ?? new EjsAccount()
        pa.balance += back
        await journal.putAccount(payer, pa)
      }
      let coinbaseCredited = false
      for (const credit of charge.credits) {
        const addr = new EjsAddress(hexToBytes(credit.to))
        const a = (await adapter.getAccount(addr)) ?? new EjsAccount()
        a.balance += credit.amount
        await journal.putAccount(addr, a)
        if (credit.to === this.ctx.coinbase) coinbaseCredited = true
      }
      if (!coinbaseCredited) {
        // Ethereum always touches the coinbase (EIP-161 then removes it if it is empty).
        const a = (await adapter.getAccount(this.coinbase)) ?? new EjsAccount()
        await journal.putAccount(this.coinbase, a)
      }
      await this.selfdestructs(exec.selfdestruct, exec.createdAddresses)
      await journal.commit()
      await journal.cleanup()
      adapter.originalStorageCache.clear()

      this.gasUsed += used
      const rawLogs = (exec.logs ?? NO_LOGS) as RawLog[]
      const logs = ejsLogs(rawLogs)
      const rawBloom = bloomOfRaw(rawLogs)
      const failed = exec.exceptionError !== undefined
      const receipt: Receipt = {
        transactionHash: tx.hash,
        transactionIndex: index,
        type: tx.type,
        from: tx.sender,
        to: tx.to,
        status: failed ? 'reverted' : 'success',
        gasUsed: used,
        cumulativeGasUsed: this.gasUsed,
        effectiveGasPrice: charge.effectiveGasPrice,
        logs,
        logsBloom: rawBloom === EMPTY_BLOOM_BYTES ? EMPTY_BLOOM : bytesToHex(rawBloom),
        contractAddress:
          tx.to === null && !failed && result.createdAddress ? (result.createdAddress.toString() as Address) : null,
      }
      rememberRawParts(receipt, rawLogs, rawBloom)
      if (charge.l1Fee !== undefined) receipt.l1Fee = charge.l1Fee
      if (charge.payer !== tx.sender) receipt.feePayer = charge.payer
      if (failed && exec.exceptionError?.error === EVMError.errorMessages.REVERT)
        receipt.output = bytesToHex(exec.returnValue)
      return { receipt, gasUsed: used }
    } catch (e) {
      // Only an invalid transaction gets here before execution; anything else is a bug worth surfacing.
      await journal.revert()
      adapter.originalStorageCache.clear()
      if (e instanceof BaseError) throw e
      throw e
    }
  }

  /** EIP-7702: writes each valid authorization's delegation; returns the refund for existing authorities. */
  private async applyAuthorizations(list: readonly Authorization[]): Promise<bigint> {
    const { evm, adapter, recover, chainId } = this.parts
    let refund = 0n
    for (const auth of list) {
      if (auth.chainId !== 0n && auth.chainId !== chainId) continue
      if (auth.nonce >= MAX_UINT64) continue
      if (auth.s > SECP256K1_N_DIV_2 || auth.yParity > 1 || auth.r === 0n || auth.s === 0n) continue
      let authority: Uint8Array
      try {
        const u = (v: bigint) => (v === 0n ? new Uint8Array() : hexToBytes(v.toString(16)))
        const msg = keccak256(
          concatBytes(new Uint8Array([5]), toRlp([u(auth.chainId), hexToBytes(auth.address), u(auth.nonce)], 'bytes')),
        )
        authority = recover(msg, compactSignature(auth.r, auth.s), auth.yParity)
      } catch {
        continue
      }
      const address = new EjsAddress(authority)
      evm.journal.addAlwaysWarmAddress(address.toString())
      const existing = await adapter.getAccount(address)
      const account = existing ?? new EjsAccount()
      if (account.isContract()) {
        const code = await adapter.getCode(address)
        if (!isDelegation(code)) continue
      }
      if (account.nonce !== auth.nonce) continue
      if (existing !== undefined) refund += 25_000n - 12_500n
      account.nonce += 1n
      await evm.journal.putAccount(address, account)
      const target = hexToBytes(auth.address)
      await adapter.putCode(
        address,
        target.every((b, i) => b === ZERO20[i]) ? new Uint8Array() : concatBytes(DELEGATION_PREFIX, target),
      )
    }
    return refund
  }

  private async selfdestructs(list: Map<string, string> | undefined, created: Set<string> | undefined): Promise<void> {
    if (!list || list.size === 0) return
    for (const addr of [...list.keys()].sort()) {
      // EIP-6780: only a contract created in the same transaction is removed.
      if (!created?.has(addr)) continue
      await this.parts.evm.journal.deleteAccount(new EjsAddress(hexToBytes(addr)))
    }
  }

  /**
   * Executes an L1 deposit: mints `mint` to `from` (kept even if the call fails), bumps its nonce, then
   * calls (or creates) with `value`, `data` and `gasLimit`. Deposits pay no fee: gas was bought on L1.
   */
  async applyDeposit(d: Deposit, envelope: TxEnvelope, index: number): Promise<TxOutcome> {
    const { evm, adapter } = this.parts
    const journal = evm.journal
    const data = hexToBytes(d.data)
    const to = d.isCreation ? null : d.to
    const intrinsic = intrinsicGas({ to, data, accessList: [] })
    const caller = new EjsAddress(hexToBytes(d.from))
    this.balances.clear()
    this.cacheBalances = false
    adapter.forgetAccounts()
    await journal.cleanup()
    for (const p of this.precompiles) journal.addAlwaysWarmAddress(p)
    journal.addAlwaysWarmAddress(d.from)
    if (to !== null) journal.addAlwaysWarmAddress(to)
    await journal.checkpoint()
    const acct = (await adapter.getAccount(caller)) ?? new EjsAccount()
    acct.balance += d.mint
    acct.nonce += 1n
    await journal.putAccount(caller, acct)
    let failed = true
    let used = d.gasLimit
    let logs: Log[] = []
    let bloom = bytesToHex(createBloom())
    let createdAddress: Address | null = null
    if (d.gasLimit >= intrinsic) {
      await journal.checkpoint()
      const result = await evm.runCall({
        block: this.block,
        gasPrice: 0n,
        caller,
        gasLimit: d.gasLimit - intrinsic,
        ...(to === null ? {} : { to: new EjsAddress(hexToBytes(to)) }),
        value: d.value,
        data,
        skipNonceIncrement: true,
      })
      await journal.commit()
      const exec = result.execResult
      failed = exec.exceptionError !== undefined
      used = intrinsic + exec.executionGasUsed
      logs = ejsLogs(exec.logs as never)
      bloom = bytesToHex(bloomOfRaw(exec.logs as never))
      if (!failed && result.createdAddress) createdAddress = result.createdAddress.toString() as Address
      await this.selfdestructs(exec.selfdestruct, exec.createdAddresses)
    }
    await journal.commit()
    await journal.cleanup()
    adapter.originalStorageCache.clear()
    this.gasUsed += used
    return {
      gasUsed: used,
      receipt: {
        transactionHash: envelope.hash,
        transactionIndex: index,
        type: 0x7e,
        from: d.from,
        to,
        status: failed ? 'reverted' : 'success',
        gasUsed: used,
        cumulativeGasUsed: this.gasUsed,
        effectiveGasPrice: 0n,
        logs,
        logsBloom: bloom,
        contractAddress: createdAddress,
      },
    }
  }
}

/** The envelope of a deposit: OP-Stack deposit encoding, hash, and no fee. */
export function depositEnvelope(d: Deposit): TxEnvelope {
  const raw = encodeDeposit(d)
  return {
    hash: bytesToHex(keccak256(raw)),
    raw,
    sender: d.from,
    nonce: 0n,
    gasLimit: d.gasLimit,
    fee: { maxFeePerGas: 0n, maxPriorityFeePerGas: 0n },
    size: raw.length,
  }
}
