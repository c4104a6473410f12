import type { Address } from '@appchain/core'
import { MethodNotFoundError, ProgramDefinitionError, ProgramNotFoundError } from './errors.js'
import type { ProgramInfo } from './executor.js'
import type { ProgramSpec } from './program.js'
import type { MethodSchema } from './tx.js'

/** Lookup tables over a chain's programs, built the same way on the main thread and in workers. */
export interface Registry {
  specs: ProgramSpec[]
  infos: Map<string, ProgramInfo>
  schemaOf(program: string, method: string): MethodSchema
  schemas(): { id: string; address: Address; methods: MethodSchema[] }[]
}

export function createRegistry(specs: ProgramSpec[]): Registry {
  const infos = new Map<string, ProgramInfo>()
  const schemas = new Map<string, Map<string, MethodSchema>>()
  for (const s of specs) {
    if (infos.has(s.id)) throw new ProgramDefinitionError({ program: s.id, reason: 'registered twice' })
    infos.set(s.id, { address: s.address, capabilities: s.capabilities, data: s.data })
    schemas.set(
      s.id,
      new Map(s.methods.map((m) => [m.name, { program: s.id, method: m.name, args: m.args, gas: m.gas }])),
    )
  }
  return {
    specs,
    infos,
    schemaOf(program, method) {
      const p = schemas.get(program)
      if (!p) throw new ProgramNotFoundError({ program, known: [...schemas.keys()] })
      const m = p.get(method)
      if (!m) throw new MethodNotFoundError({ program, method, known: [...p.keys()] })
      return m
    },
    schemas() {
      return specs.map((s) => ({ id: s.id, address: s.address, methods: [...schemas.get(s.id)!.values()] }))
    },
  }
}
