import { memoryGasStore } from '@appchain/core/testing'
import { eip1559, rateLimited } from '@appchain/gas'

// biome-ignore lint/suspicious/noThenProperty: issue 5 names the field `then`; a GasModel is not callable
const gas = rateLimited({ freeTxPerWindow: 2n, windowBlocks: 100n, then: eip1559() })
const store = memoryGasStore()
const ctx = {
  chainId: 4242n,
  blockNumber: 1n,
  coinbase: '0x00000000000000000000000000000000000000c0' as const,
  fees: gas.genesisFees(), // { baseFeePerGas: 1_000_000_000n }
  balanceOf: async () => 10n ** 18n,
  store,
}
for (const nonce of [0n, 1n, 2n]) {
  const tx = {
    hash: `0x${nonce.toString(16).padStart(64, '0')}` as const,
    raw: new Uint8Array(110),
    sender: '0x00000000000000000000000000000000000a11ce' as const,
    nonce,
    gasLimit: 21_000n,
    size: 110,
    fee: { maxFeePerGas: 2_000_000_000n, maxPriorityFeePerGas: 1_000_000_000n },
  }
  await gas.admit(tx, ctx)
  await gas.upfront(tx, ctx)
  const charge = await gas.charge(tx, 21_000n, ctx)
  console.log(nonce, charge.amount) // 0n 0n, 1n 0n, 2n 42000000000000n (21,000 × (1 gwei base + 1 gwei tip))
}
