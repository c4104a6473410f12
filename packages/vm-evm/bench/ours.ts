// Our side: decodeTxs (stateless checks + sender recovery on the worker pool) + executeBlock (which ends
// with the state root) on @appchain/state over an in-memory Db.
import { type Hex, memoryDb } from '@appchain/core'
import { createStateDb } from '@appchain/state'
import { ethereumFees } from '../src/ethereumFees.js'
import type { EvmTx } from '../src/evmTx.js'
import { evmVm } from '../src/evmVm.js'
import { BASE_FEE, CHAIN_ID, type Workload } from './workloads.js'

export interface RunResult {
  ms: number
  gasUsed: bigint
  root: Hex
}

export const COINBASE = '0x00000000000000000000000000000000000c0ffe'

export function createOurRunner(makeVm: typeof evmVm = evmVm) {
  const vm = makeVm({ hardfork: 'prague', predeploys: false })
  const gas = ethereumFees({ baseFeePerGas: BASE_FEE })
  return {
    async run(w: Workload): Promise<RunResult> {
      const state = createStateDb({ db: memoryDb() })
      await vm.genesis(w.genesis, state)
      const t0 = performance.now()
      const decoded = await vm.decodeTxs(w.raws, { chainId: CHAIN_ID })
      const txs = decoded.filter((t): t is EvmTx => !(t instanceof Error))
      const r = await vm.executeBlock({
        ctx: {
          chainId: CHAIN_ID,
          number: 1n,
          timestamp: 1_700_000_001n,
          coinbase: COINBASE,
          gasLimit: 2n ** 40n,
          fees: { baseFeePerGas: BASE_FEE },
          prevRandao: `0x${'00'.repeat(32)}`,
          parentHash: `0x${'00'.repeat(32)}`,
        },
        deposits: [],
        txs,
        state,
        gas,
      })
      const ms = performance.now() - t0
      if (txs.length !== w.raws.length || r.excluded.length || r.receipts.some((x) => x.status !== 'success'))
        throw new Error(
          `ours: ${w.name}: ${w.raws.length - txs.length} undecodable, ${r.excluded.length} excluded (${r.excluded[0]?.error.shortMessage}), ${r.receipts.filter((x) => x.status !== 'success').length} failed`,
        )
      return { ms, gasUsed: r.gasUsed, root: r.stateRoot }
    },
    close: () => vm.close(),
  }
}
