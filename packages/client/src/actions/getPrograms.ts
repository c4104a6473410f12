import type { Address } from '@appchain/core'
import type { MethodSchema, TxArgType } from '@appchain/vm-parallel/tx'
import type { Client } from 'viem'
import { rpc } from './rpc.js'

export interface ProgramInfo {
  id: string
  address: Address
  methods: MethodSchema[]
}

type Wire = {
  id: string
  address: Address
  methods: {
    name: string
    args: { name: string; type: TxArgType }[]
    gas: Record<'base' | 'perByte' | 'perAccount', string>
  }[]
}[]

const cache = new WeakMap<Client, Promise<ProgramInfo[]>>()

/**
 * The programs a parallel-VM chain runs, with each method's argument types and gas (`appchain_getPrograms`).
 * Cached per client: programs are fixed by the chain's config.
 *
 * @example
 * ```ts
 * const programs = await getPrograms(client) // [{ id: 'token', address, methods: [...] }, ...]
 * ```
 */
export function getPrograms(client: Client): Promise<ProgramInfo[]> {
  let p = cache.get(client)
  if (!p) {
    p = rpc<Wire>(client, 'appchain_getPrograms').then((list) =>
      list.map((prog) => ({
        id: prog.id,
        address: prog.address,
        methods: prog.methods.map((m) => ({
          program: prog.id,
          method: m.name,
          args: m.args.map((a) => [a.name, a.type] as [string, TxArgType]),
          gas: { base: BigInt(m.gas.base), perByte: BigInt(m.gas.perByte), perAccount: BigInt(m.gas.perAccount) },
        })),
      })),
    )
    p.catch(() => cache.delete(client))
    cache.set(client, p)
  }
  return p
}
