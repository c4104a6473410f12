import type { Deposit, Hex, Receipt } from '@appchain/core'
import { bytesToHex, encodeHeader, headerExtraData } from '@appchain/core'
import { parseTransaction } from 'viem'
import type { ChainLog } from '../store/chainStore.js'
import type { BlockRecord } from '../store/codec.js'

/** A bigint or number as a JSON-RPC quantity. */
export const q = (n: bigint | number): Hex => `0x${n.toString(16)}`

const EMPTY_OMMERS: Hex = '0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347'
const TYPES: Record<string, number> = { legacy: 0, eip2930: 1, eip1559: 2, eip4844: 3, eip7702: 4 }

/** Where a transaction is, for the fields `eth_getTransactionByHash` adds when it is mined. */
export interface TxPosition {
  blockHash: Hex
  blockNumber: bigint
  index: number
  /** The base fee of its block, for the effective `gasPrice` of EIP-1559 transactions. */
  baseFeePerGas: bigint
}

/** Decodes an EVM raw transaction into geth's JSON shape; `from` and `hash` come from the node. */
export function formatEvmTx(
  raw: Uint8Array,
  meta: { hash: Hex; from: Hex },
  position?: TxPosition,
): Record<string, unknown> {
  const tx = parseTransaction(bytesToHex(raw)) as Record<string, unknown> & { type: string }
  const type = TYPES[tx.type] ?? 0
  const out: Record<string, unknown> = {
    type: q(type),
    hash: meta.hash,
    from: meta.from,
    to: (tx.to as Hex | undefined) ?? null,
    nonce: q((tx.nonce as number | undefined) ?? 0),
    gas: q((tx.gas as bigint | undefined) ?? 0n),
    value: q((tx.value as bigint | undefined) ?? 0n),
    input: (tx.data as Hex | undefined) ?? '0x',
    r: tx.r ?? '0x0',
    s: tx.s ?? '0x0',
    blockHash: position?.blockHash ?? null,
    blockNumber: position ? q(position.blockNumber) : null,
    transactionIndex: position ? q(position.index) : null,
  }
  if (tx.chainId !== undefined) out.chainId = q(tx.chainId as number)
  if (type === 0) {
    out.gasPrice = q((tx.gasPrice as bigint | undefined) ?? 0n)
    out.v = q((tx.v as bigint | undefined) ?? 27n)
  } else {
    const yParity = (tx.yParity as number | undefined) ?? 0
    out.yParity = q(yParity)
    out.v = q(yParity)
    out.accessList = tx.accessList ?? []
    if (type === 1) out.gasPrice = q((tx.gasPrice as bigint | undefined) ?? 0n)
    else {
      // viem's parseTransaction leaves zero fields undefined (sponsored and free-tier transactions bid 0).
      const maxFee = (tx.maxFeePerGas as bigint | undefined) ?? 0n
      const tip = (tx.maxPriorityFeePerGas as bigint | undefined) ?? 0n
      out.maxFeePerGas = q(maxFee)
      out.maxPriorityFeePerGas = q(tip)
      // geth reports the effective price once mined, the fee cap while pending.
      const base = position?.baseFeePerGas
      out.gasPrice = q(base === undefined ? maxFee : base + tip < maxFee ? base + tip : maxFee)
    }
    if (type === 4) {
      out.authorizationList = ((tx.authorizationList as Record<string, unknown>[] | undefined) ?? []).map((a) => ({
        chainId: q(a.chainId as number),
        address: a.address,
        nonce: q(a.nonce as number),
        yParity: q((a.yParity as number | undefined) ?? 0),
        r: a.r,
        s: a.s,
      }))
    }
  }
  return out
}

/** A deposit as a transaction (type 0x7e, as the OP Stack shows them). */
export function formatDepositTx(deposit: Deposit, hash: Hex, position: TxPosition): Record<string, unknown> {
  return {
    type: '0x7e',
    hash,
    sourceHash: deposit.sourceHash,
    from: deposit.from,
    to: deposit.isCreation ? null : deposit.to,
    mint: q(deposit.mint),
    value: q(deposit.value),
    gas: q(deposit.gasLimit),
    gasPrice: '0x0',
    input: deposit.data,
    nonce: '0x0',
    v: '0x0',
    r: '0x0',
    s: '0x0',
    blockHash: position.blockHash,
    blockNumber: q(position.blockNumber),
    transactionIndex: q(position.index),
  }
}

/** A block in geth's JSON shape; `transactions` is hashes or full objects as the caller decides. */
export function formatBlock(block: BlockRecord, transactions: unknown[]): Record<string, unknown> {
  const h = block.header
  const size = encodeHeader(h).length + block.transactions.reduce((n, t) => n + t.length + 3, 0) + 3
  return {
    number: q(h.number),
    hash: block.hash,
    parentHash: h.parentHash,
    nonce: '0x0000000000000000',
    sha3Uncles: EMPTY_OMMERS,
    logsBloom: h.logsBloom,
    transactionsRoot: h.transactionsRoot,
    stateRoot: h.stateRoot,
    receiptsRoot: h.receiptsRoot,
    miner: h.coinbase,
    difficulty: '0x0',
    totalDifficulty: '0x0',
    extraData: headerExtraData(h),
    size: q(size),
    gasLimit: q(h.gasLimit),
    gasUsed: q(h.gasUsed),
    timestamp: q(h.timestamp),
    transactions,
    uncles: [],
    baseFeePerGas: q(h.baseFeePerGas),
    mixHash: h.prevRandao,
    withdrawalsRoot: h.withdrawalsRoot,
    withdrawals: [],
  }
}

/** A log in geth's JSON shape. */
export function formatLog(log: ChainLog): Record<string, unknown> {
  return {
    address: log.address,
    topics: log.topics,
    data: log.data,
    blockNumber: q(log.blockNumber),
    blockHash: log.blockHash,
    transactionHash: log.transactionHash,
    transactionIndex: q(log.transactionIndex),
    logIndex: q(log.logIndex),
    removed: false,
  }
}

/** A receipt in geth's JSON shape; `firstLogIndex` is the block-wide index of its first log. */
export function formatReceipt(
  r: Receipt,
  block: { hash: Hex; number: bigint },
  firstLogIndex: number,
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    transactionHash: r.transactionHash,
    transactionIndex: q(r.transactionIndex),
    blockHash: block.hash,
    blockNumber: q(block.number),
    from: r.from,
    to: r.to,
    cumulativeGasUsed: q(r.cumulativeGasUsed),
    gasUsed: q(r.gasUsed),
    effectiveGasPrice: q(r.effectiveGasPrice),
    contractAddress: r.contractAddress,
    logs: r.logs.map((log, i) =>
      formatLog({
        ...log,
        blockNumber: block.number,
        blockHash: block.hash,
        transactionHash: r.transactionHash,
        transactionIndex: r.transactionIndex,
        logIndex: firstLogIndex + i,
      }),
    ),
    logsBloom: r.logsBloom,
    type: q(r.type),
    status: r.status === 'success' ? '0x1' : '0x0',
  }
  if (r.l1Fee !== undefined) out.l1Fee = q(r.l1Fee)
  if (r.feePayer !== undefined) out.feePayer = r.feePayer
  return out
}
