import { BaseError, bytesToHex } from '@appchain/core'
import type { ParallelTx } from '@appchain/vm-parallel'
import { game, nativeToken, parallelVm, signingDigest, typedDataOf } from '@appchain/vm-parallel'
import { createWalletClient, custom, hashTypedData } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import { prepareProgramTransaction } from './prepareProgramTransaction.js'
import { signProgramTransaction } from './signProgramTransaction.js'

const account = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d')
const to = '0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc'
const vm = parallelVm({ programs: [nativeToken({ authority: account.address }), game()], workers: 0 })

// A transport that answers the reads `prepareProgramTransaction` makes from the VM's own `rpc` handlers.
const transport = custom({
  async request({ method, params }: { method: string; params?: unknown[] }) {
    if (method === 'eth_chainId') return '0x1092'
    if (method === 'eth_getTransactionCount') return '0x3'
    if (method === 'eth_gasPrice') return '0x7'
    if (method === 'eth_maxPriorityFeePerGas') return '0x1'
    const handler = vm.rpc?.[method]
    if (handler) return handler(params ?? [], { state: undefined as never, chainId: 4242n })
    throw new Error(`unexpected ${method}`)
  },
})
const client = createWalletClient({ account, transport })

describe('signProgramTransaction', () => {
  it('signs EIP-712 typed data that the VM decodes back to the same call and sender', async () => {
    const prepared = await prepareProgramTransaction(client, {
      program: 'token',
      method: 'transfer',
      args: { to, amount: 123n },
      writes: [account.address, to],
    })
    expect(prepared.request).toMatchObject({ chainId: 4242n, nonce: 3n, maxFeePerGas: 14n, maxPriorityFeePerGas: 1n })
    const raw = await signProgramTransaction(client, prepared)
    const [tx] = (await vm.decodeTxs([Buffer.from(raw.slice(2), 'hex')], { chainId: 4242n })) as ParallelTx[]
    if (tx instanceof BaseError) throw tx
    expect(tx!.sender).toBe(account.address.toLowerCase())
    expect(tx!.args).toEqual({ to, amount: 123n })
    expect(tx!.accessSet.writes).toEqual([account.address.toLowerCase(), to])
    // The gas limit the client computed is exactly the call's static gas.
    expect(tx!.gasLimit).toBeGreaterThanOrEqual(tx!.intrinsicGas)
    expect(tx!.gasLimit - tx!.intrinsicGas).toBeLessThan(100n)
  })

  it("computes the same digest as viem's hashTypedData", async () => {
    const prepared = await prepareProgramTransaction(client, {
      program: 'game',
      method: 'craft',
      args: { item: 'sword' },
    })
    const typed = typedDataOf(prepared.request, prepared.schema)
    expect(bytesToHex(signingDigest(prepared.request, prepared.schema))).toBe(hashTypedData(typed))
  })

  it('refuses a signature made for another chain', async () => {
    const prepared = await prepareProgramTransaction(client, { program: 'game', method: 'gather', args: {} })
    const raw = await signProgramTransaction(client, prepared)
    const [out] = await vm.decodeTxs([Buffer.from(raw.slice(2), 'hex')], { chainId: 1n })
    expect((out as BaseError).name).toBe('ChainIdMismatchError')
  })
})
