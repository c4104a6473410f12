import type { BlockContext, GasModel } from '@appchain/core'
import { evmVm } from '@appchain/vm-evm'
import { compileToken, erc20Genesis, signErc20Transfers } from './erc20.js'
import { flushedState, type Transfer } from './workloads.js'

/**
 * The EVM's execution time for the transfers as ERC-20 `transfer` calls (bench/index.ts's EVM row), one run after
 * one warm-up, on a running node's state: for bench/shardedPrototype.ts's ratio (BENCH_EVM=1).
 */
export async function evmExecMs(transfers: Transfer[], ctx: BlockContext, gas: GasModel, chainId: bigint) {
  const evm = evmVm()
  try {
    const raws = signErc20Transfers(transfers, Number(chainId))
    const alloc = erc20Genesis(compileToken(), transfers)
    let ms = 0
    for (let rep = 0; rep < 2; rep++) {
      const state = await flushedState(alloc, evm.genesis)
      const txs = await evm.decodeTxs(raws, { chainId })
      const t = performance.now()
      const r = await evm.executeBlock({ ctx, deposits: [], txs: txs as never, state, gas })
      ms = performance.now() - t
      if (r.receipts.some((x) => x.status !== 'success')) throw new Error('EVM: not every ERC-20 transfer succeeded')
    }
    return ms
  } finally {
    await evm.close()
  }
}
