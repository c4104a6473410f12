import { memoryDb, ZERO_HASH } from '@appchain/core'
import { flatFee } from '@appchain/gas'
import { createStateDb } from '@appchain/state'
import {
  defineProgram,
  encodeTransaction,
  nativeToken,
  type ParallelTx,
  parallelVm,
  readRecord,
  typedDataOf,
} from '@appchain/vm-parallel'
import { privateKeyToAccount } from 'viem/accounts'

const alice = privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80')

// A program: typed arguments, gas, the accounts a call touches, and a `run` recompiled in the sandbox.
const counter = defineProgram({
  id: 'counter',
  methods: {
    bump: {
      args: { by: 'uint256' },
      gas: { base: 1_000n },
      run(ctx, args) {
        ctx.set(ctx.sender, 'n', ctx.get(ctx.sender, 'n') + args.by)
        ctx.emit('Bumped', ctx.sender, args.by)
      },
      accounts: (_, sender) => ({ reads: [], writes: [sender] }),
    },
  },
})

const vm = parallelVm({ programs: [nativeToken({ authority: alice.address }), counter], workers: 2 })
const gas = flatFee({ perTx: 0n })
const state = createStateDb({ db: memoryDb() })
await vm.genesis({ [alice.address]: { balance: 10n ** 18n } }, state)

// Build and sign a call as EIP-712 typed data.
const m = counter.methods.bump!
const schema = { program: 'counter', method: 'bump', args: m.args, gas: m.gas }
const request = {
  chainId: 4242n,
  program: 'counter',
  method: 'bump',
  args: { by: 5n },
  reads: [],
  writes: [alice.address],
  nonce: 0n,
  gasLimit: 50_000n,
  maxFeePerGas: 1n,
  maxPriorityFeePerGas: 0n,
}
const raw = encodeTransaction(request, schema, await alice.signTypedData(typedDataOf(request, schema)))

const txs = (await vm.decodeTxs([raw], { chainId: 4242n })) as ParallelTx[] // sender recovered
const result = await vm.executeBlock({
  ctx: {
    chainId: 4242n,
    number: 1n,
    timestamp: 1n,
    coinbase: alice.address,
    gasLimit: 30_000_000n,
    fees: gas.genesisFees(),
    prevRandao: ZERO_HASH,
    parentHash: ZERO_HASH,
  },
  deposits: [],
  txs,
  state,
  gas,
})
console.log(result.receipts[0]?.status, result.stateRoot) // success 0x...
console.log((await readRecord(state, 'counter', alice.address)).get('n')) // 5n
await vm.close()
