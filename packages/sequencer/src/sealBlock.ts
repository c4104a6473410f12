import { type BlockHeader, hashHeader, type StateDb } from '@appchain/core'
import type { OpenBlock } from './openBlock.js'
import type { SealedBlock } from './types.js'

/**
 * Closes an open block: final execution, header (Ethereum layout, hash = `hashHeader`), and the state ops from
 * `state.flush()` that persist its post state. Writing it (`chain.seal`) is the caller's business.
 *
 * @example
 * ```ts
 * const sealed = await sealBlock(open, state)
 * await chain.seal(sealed)
 * ```
 */
export async function sealBlock(open: OpenBlock, state: StateDb): Promise<SealedBlock> {
  const execution = await open.finish()
  const { root, ops } = await state.flush()
  if (root !== execution.stateRoot)
    throw new Error(`sealBlock: flushed state root ${root} differs from the execution's ${execution.stateRoot}`)
  const { ctx } = open
  const header: BlockHeader = {
    parentHash: ctx.parentHash,
    number: ctx.number,
    timestamp: ctx.timestamp,
    coinbase: ctx.coinbase,
    stateRoot: execution.stateRoot,
    transactionsRoot: execution.transactionsRoot,
    receiptsRoot: execution.receiptsRoot,
    withdrawalsRoot: execution.withdrawalsRoot,
    logsBloom: execution.logsBloom,
    gasLimit: ctx.gasLimit,
    gasUsed: execution.gasUsed,
    baseFeePerGas: ctx.fees.baseFeePerGas,
    prevRandao: ctx.prevRandao,
    extraData: '0x',
    l1Origin: ctx.l1Origin,
  }
  return {
    block: {
      hash: hashHeader(header),
      header,
      transactions: execution.included.map((tx) => tx.raw),
      deposits: open.deposits,
    },
    execution,
    stateOps: ops,
  }
}
