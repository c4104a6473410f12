import type { BlockContext, GenesisAlloc } from '@appchain/core'
import { ZERO_HASH } from '@appchain/core'
import { eip1559 } from '@appchain/gas'
import type { ParallelTx } from '../src/parallelTx.js'
import { parallelVm } from '../src/parallelVm.js'
import { nativeToken } from '../src/programs/nativeToken.js'
import { flushedState, signTransfers, transferWorkloads } from './workloads.js'

// Where the time of one block goes: BENCH_TXS transfers at low contention, phases timed separately.
const N = Number(process.env.BENCH_TXS ?? 5000)
const workers = Number(process.env.WORKERS ?? 0)
const gas = eip1559({ initialBaseFee: 1n })
const ctx: BlockContext = {
  chainId: 4242n,
  number: 1n,
  timestamp: 1n,
  coinbase: '0x00000000000000000000000000000000000000c0',
  gasLimit: 10n ** 12n,
  fees: gas.genesisFees(),
  prevRandao: ZERO_HASH,
  parentHash: ZERO_HASH,
}
const w = transferWorkloads(N)[0]!
const token = nativeToken({ authority: w.transfers[0]!.from.address })
const raws = signTransfers(token, w.transfers, 4242n)
const alloc: GenesisAlloc = {}
for (const t of w.transfers) alloc[t.from.address] = { balance: 10n ** 24n }
const vm = parallelVm({ programs: [token], workers })
for (let i = 0; i < 3; i++) {
  let t = performance.now()
  const state = await flushedState(alloc, vm.genesis)
  const tg = performance.now() - t
  t = performance.now()
  const txs = (await vm.decodeTxs(raws, { chainId: 4242n })) as ParallelTx[]
  const td = performance.now() - t
  t = performance.now()
  const r = await vm.executeBlock({ ctx, deposits: [], txs, state, gas })
  const te = performance.now() - t
  t = performance.now()
  await state.root()
  console.log(JSON.stringify(vm.lastStats()?.timings, (_, v) => (typeof v === 'number' ? Math.round(v) : v)))
  console.log(
    `genesis ${tg.toFixed(0)} decode ${td.toFixed(0)} exec ${te.toFixed(0)} ms (${r.included.length} txs) root-again ${(performance.now() - t).toFixed(0)}`,
  )
}
await vm.close()
