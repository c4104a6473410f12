// The reference: @ethereumjs/vm runTx, one tx at a time, on its MerkleStateManager with caches, then the
// final state root, transactions decoded from the same raw bytes. Sender recovery either as ethereumjs
// ships it (@noble/curves, pure JS) or, to compare execution alone, on the same native libsecp256k1 we
// use (customCrypto.ecrecover).
import { createRequire } from 'node:module'
import type { Hex } from '@appchain/core'
import { createBlock } from '@ethereumjs/block'
import { createCustomCommon, Mainnet } from '@ethereumjs/common'
import { Caches, MerkleStateManager } from '@ethereumjs/statemanager'
import { createTxFromRLP } from '@ethereumjs/tx'
import { Account, Address, bytesToHex, hexToBytes } from '@ethereumjs/util'
import { createVM, runTx } from '@ethereumjs/vm'
import { COINBASE, type RunResult } from './ours.js'
import { BASE_FEE, CHAIN_ID, type Workload } from './workloads.js'

const require = createRequire(import.meta.url)
const secp = require('secp256k1/bindings') as {
  ecdsaRecover(sig: Uint8Array, recid: number, msg: Uint8Array, compressed: boolean): Uint8Array
}

function common(nativeRecovery: boolean) {
  if (!nativeRecovery) return createCustomCommon({ chainId: Number(CHAIN_ID) }, Mainnet, { hardfork: 'prague' })
  return createCustomCommon({ chainId: Number(CHAIN_ID) }, Mainnet, {
    hardfork: 'prague',
    customCrypto: {
      ecrecover: (msgHash: Uint8Array, v: bigint, r: Uint8Array, s: Uint8Array, chainId?: bigint) => {
        const recid =
          chainId === undefined || v <= 1n ? (v >= 27n ? Number(v - 27n) : Number(v)) : Number(v - 35n - 2n * chainId)
        const sig = new Uint8Array(64)
        sig.set(r, 32 - r.length)
        sig.set(s, 64 - s.length)
        return secp.ecdsaRecover(sig, recid, msgHash, false).slice(1)
      },
    },
  })
}

export async function runEthereumjs(w: Workload, nativeRecovery: boolean): Promise<RunResult> {
  const c = common(nativeRecovery)
  const sm = new MerkleStateManager({ caches: new Caches(), common: c })
  await sm.checkpoint()
  for (const [address, a] of Object.entries(w.genesis)) {
    const addr = new Address(hexToBytes(address as Hex))
    await sm.putAccount(addr, new Account(a.nonce ?? 0n, a.balance ?? 0n))
    if (a.code) await sm.putCode(addr, hexToBytes(a.code))
    for (const [k, v] of Object.entries(a.storage ?? {}))
      await sm.putStorage(addr, hexToBytes(k as Hex), hexToBytes(v as Hex))
  }
  await sm.commit()
  await sm.getStateRoot()
  const vm = await createVM({ common: c, stateManager: sm })
  const block = createBlock(
    {
      header: {
        number: 1n,
        coinbase: new Address(hexToBytes(COINBASE)),
        timestamp: 1_700_000_001n,
        gasLimit: 2n ** 40n,
        baseFeePerGas: BASE_FEE,
      },
    },
    { common: c, skipConsensusFormatValidation: true },
  )
  const t0 = performance.now()
  let gasUsed = 0n
  for (const raw of w.raws) {
    const tx = createTxFromRLP(raw, { common: c })
    const r = await runTx(vm, { tx, block, skipBlockGasLimitValidation: true, skipHardForkValidation: true })
    if (r.execResult.exceptionError)
      throw new Error(`ethereumjs: ${w.name}: tx failed: ${r.execResult.exceptionError.error}`)
    gasUsed += r.totalGasSpent
  }
  const root = bytesToHex(await vm.stateManager.getStateRoot()) as Hex
  return { ms: performance.now() - t0, gasUsed, root }
}
