import { memoryDb, type TxEnvelope } from '@appchain/core'
import { eip1559 } from '@appchain/gas'
import { evmVm } from '@appchain/vm-evm'
import { fundedGenesis, testAccounts, transfer } from '../test/accounts.js'
import { createTestChain } from '../test/testChain.js'
import { createSequencer } from '../src/sequencer.js'

const vm = evmVm()
const stats = { calls: 0, txs: 0, ms: 0, max: 0 }
const orig = vm.executeBlock.bind(vm)
;(vm as any).executeBlock = async (i: any) => { const t = performance.now(); const r = await orig(i); const d = performance.now() - t; stats.calls++; stats.txs += i.txs.length; stats.ms += d; stats.max = Math.max(stats.max, d); return r }
const vr = vm.validateTx.bind(vm); let vms = 0
;(vm as any).validateTx = async (...a: any[]) => { const t = performance.now(); try { return await (vr as any)(...a) } finally { vms += performance.now() - t } }
const dt = vm.decodeTxs.bind(vm); let dms = 0
;(vm as any).decodeTxs = async (...a: any[]) => { const t = performance.now(); try { return await (dt as any)(...a) } finally { dms += performance.now() - t } }
const gas = eip1559()
const senders = testAccounts(200)
const raws: Uint8Array[] = []
for (let n = 0; n < 10; n++) for (const a of senders) raws.push(await transfer(a, { nonce: n, chainId: 4242 }))
const chain = await createTestChain({ db: memoryDb(), vm, gas, genesis: fundedGenesis(senders) })
const seq = createSequencer({ vm, gas, chain, chainId: 4242n, blockTimeMs: 100, preconf: { privateKey: `0x${'11'.repeat(32)}` }, mempool: { maxNonceGap: 1000 } })
let n = 0
seq.onPreconfirmation(() => n++)
const sealMs: number[] = []
seq.onBlock((_b, i) => sealMs.push(i.sealMs))
await seq.submit(raws.slice(0, 1)); await seq.buildNow()
seq.start()
const t0 = performance.now()
for (let i = 1; i < raws.length; i++) {
  while (performance.now() - t0 < i) await new Promise((r) => setTimeout(r, 1))
  void seq.submit([raws[i]!])
}
while (n < raws.length - 1 && performance.now() - t0 < 20000) await new Promise((r) => setTimeout(r, 10))
await seq.stop()
console.log(stats, 'validate ms', vms.toFixed(0), 'decode wall ms', dms.toFixed(0))
console.log('preconfs', n, 'elapsed', (performance.now() - t0).toFixed(0), 'seal ms', sealMs.map((x) => x.toFixed(0)).join(' '))
await vm.close()
