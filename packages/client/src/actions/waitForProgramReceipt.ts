import type { Address, Hex } from '@appchain/core'
import type { Client } from 'viem'
import { ReceiptTimeoutError } from '../errors.js'
import { rpc } from './rpc.js'

export interface ProgramReceipt {
  transactionHash: Hex
  blockHash: Hex
  blockNumber: bigint
  transactionIndex: number
  from: Address
  /** The program's address. */
  to: Address | null
  status: 'success' | 'reverted'
  gasUsed: bigint
  effectiveGasPrice: bigint
  logs: { address: Address; topics: Hex[]; data: Hex; logIndex: number }[]
  /** Why it reverted (`ErrorName: message`, UTF-8 hex), for failed calls. */
  output?: Hex | undefined
  raw: Record<string, unknown>
}

type WireReceipt = Record<string, unknown> & {
  transactionHash: Hex
  blockHash: Hex
  blockNumber: Hex
  transactionIndex: Hex
  from: Address
  to: Address | null
  status: Hex
  gasUsed: Hex
  effectiveGasPrice: Hex
  logs: { address: Address; topics: Hex[]; data: Hex; logIndex: Hex }[]
  output?: Hex
}

/**
 * Polls `eth_getTransactionReceipt` until the transaction is in a block (parallel-VM receipts have type 0x70,
 * which viem's Ethereum receipt formatter does not know, so they are parsed here).
 *
 * @example
 * ```ts
 * const receipt = await waitForProgramReceipt(client, { hash })
 * receipt.status // 'success'
 * ```
 */
export async function waitForProgramReceipt(
  client: Client,
  args: { hash: Hex; pollingIntervalMs?: number | undefined; timeoutMs?: number | undefined },
): Promise<ProgramReceipt> {
  const timeoutMs = args.timeoutMs ?? 30_000
  const interval = args.pollingIntervalMs ?? 50
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const r = await rpc<WireReceipt | null>(client, 'eth_getTransactionReceipt', [args.hash])
    if (r) {
      return {
        transactionHash: r.transactionHash,
        blockHash: r.blockHash,
        blockNumber: BigInt(r.blockNumber),
        transactionIndex: Number(r.transactionIndex),
        from: r.from,
        to: r.to,
        status: r.status === '0x1' ? 'success' : 'reverted',
        gasUsed: BigInt(r.gasUsed),
        effectiveGasPrice: BigInt(r.effectiveGasPrice),
        logs: r.logs.map((l) => ({ address: l.address, topics: l.topics, data: l.data, logIndex: Number(l.logIndex) })),
        output: r.output,
        raw: r,
      }
    }
    if (Date.now() > deadline) throw new ReceiptTimeoutError({ hash: args.hash, timeoutMs })
    await new Promise((resolve) => setTimeout(resolve, interval))
  }
}
