import type { Address, Hex, RpcHandler, StateReader } from '@appchain/core'
import { BaseError } from '@appchain/core'
import { ProgramNotFoundError } from './errors.js'
import { decodeRecord, joinWords, recordSlot } from './record.js'
import type { Registry } from './registry.js'

/** JSON-RPC params that are not what a method takes. */
export class InvalidRpcParamsError extends BaseError {
  override name = 'InvalidRpcParamsError'
  constructor(args: { method: string; index: number; reason: string }) {
    super(`Invalid params for ${args.method}: param ${args.index} ${args.reason}`, { data: args })
  }
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/
const q = (v: bigint): Hex => `0x${v.toString(16)}`

function address(method: string, params: unknown[], i: number): Address {
  const v = params[i]
  if (typeof v !== 'string' || !ADDRESS.test(v))
    throw new InvalidRpcParamsError({ method, index: i, reason: 'must be an address' })
  return v.toLowerCase() as Address
}

/** Reads a program's record at an account from any `StateReader`. */
export async function readRecord(state: StateReader, program: string, account: Address): Promise<Map<string, bigint>> {
  const length = Number(BigInt(await state.getStorage(account, recordSlot(program, 0))))
  const words: Hex[] = []
  for (let i = 1; i <= Math.ceil(length / 32); i++) words.push(await state.getStorage(account, recordSlot(program, i)))
  return decodeRecord(joinWords(words, length))
}

/**
 * The parallel VM's `appchain_` JSON-RPC methods (quantities as hex, like Ethereum's):
 * - `appchain_getPrograms()`: every program with its methods, argument types and gas.
 * - `appchain_getProgramState(program, account)`: the account's native balance, nonce and the program's record.
 * - `appchain_getBalance(account)`, `appchain_getTransactionCount(account)`.
 */
export function createRpc(registry: Registry): Record<string, RpcHandler> {
  return {
    appchain_getPrograms: async () =>
      registry.schemas().map((p) => ({
        id: p.id,
        address: p.address,
        methods: p.methods.map((m) => ({
          name: m.method,
          args: m.args.map(([name, type]) => ({ name, type })),
          gas: { base: q(m.gas.base), perByte: q(m.gas.perByte), perAccount: q(m.gas.perAccount) },
        })),
      })),
    appchain_getProgramState: async (params, { state }) => {
      const method = 'appchain_getProgramState'
      const program = params[0]
      if (typeof program !== 'string')
        throw new InvalidRpcParamsError({ method, index: 0, reason: 'must be a program id' })
      if (!registry.infos.has(program)) {
        throw new ProgramNotFoundError({ program, known: registry.specs.map((p) => p.id) })
      }
      const account = address(method, params, 1)
      const acc = await state.getAccount(account)
      const record = await readRecord(state, program, account)
      return {
        program,
        account,
        balance: q(acc?.balance ?? 0n),
        nonce: q(acc?.nonce ?? 0n),
        record: Object.fromEntries([...record].map(([k, v]) => [k, q(v)])),
      }
    },
    appchain_getBalance: async (params, { state }) =>
      q((await state.getAccount(address('appchain_getBalance', params, 0)))?.balance ?? 0n),
    appchain_getTransactionCount: async (params, { state }) =>
      q((await state.getAccount(address('appchain_getTransactionCount', params, 0)))?.nonce ?? 0n),
  }
}
