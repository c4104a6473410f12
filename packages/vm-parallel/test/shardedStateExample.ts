import { memoryDb, ZERO_HASH } from '@appchain/core'
import { eip1559 } from '@appchain/gas'
import { encodeTransaction, nativeToken, type ParallelTx, parallelVm, typedDataOf } from '@appchain/vm-parallel'
import { privateKeyToAccount } from 'viem/accounts'

const alice = privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80')
const bob = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8'
const token = nativeToken({ authority: alice.address })

// The VM's two workers host the state's account shards; blocks on that state execute inside them.
const vm = parallelVm({ programs: [token], workers: 2, shardedState: true, minParallel: 1 })
const gas = eip1559({ initialBaseFee: 1n }) // portable: the workers build the same model
const db = memoryDb()
const state = await vm.openState!(db, {})
await vm.genesis({ [alice.address]: { balance: 10n ** 18n } }, state)

const m = token.methods.transfer!
const schema = { program: token.id, method: 'transfer', args: m.args, gas: m.gas }
const request = {
  chainId: 4242n,
  program: token.id,
  method: 'transfer',
  args: { to: bob, amount: 7n },
  reads: [],
  writes: [alice.address.toLowerCase() as `0x${string}`, bob as `0x${string}`],
  nonce: 0n,
  gasLimit: 50_000n,
  maxFeePerGas: 1n,
  maxPriorityFeePerGas: 0n,
}
const raw = encodeTransaction(request, schema, await alice.signTypedData(typedDataOf(request, schema)))
const txs = (await vm.decodeTxs([raw], { chainId: 4242n })) as ParallelTx[]
const ctx = {
  chainId: 4242n,
  number: 1n,
  timestamp: 1n,
  coinbase: alice.address,
  gasLimit: 30_000_000n,
  fees: gas.genesisFees(),
  prevRandao: ZERO_HASH,
  parentHash: ZERO_HASH,
}
const result = await vm.executeBlock({ ctx, deposits: [], txs, state, gas })
console.log(result.receipts[0]?.status, vm.lastStats()?.timings.shardRoot !== undefined) // success true
const { root, ops } = await state.flush()
await db.batch(ops) // the node writes these with the block
await state.close()

// Reopened at the head (a node restart): the shards load what they need from the Db.
const again = await vm.openState!(db, { root })
console.log((await again.getAccount(bob))?.balance) // 7n
await again.close()
await vm.close()
