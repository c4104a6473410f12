import type { Address, Hex } from '@appchain/core'
import { bytesToHex, keccak256 } from '@appchain/core'
import { ProgramDefinitionError } from './errors.js'

/** The argument types a program method can declare (EIP-712 types, so wallets show them). */
export type ArgType = 'address' | 'uint256' | 'int256' | 'bool' | 'string' | 'bytes32'

/** The TypeScript type of an argument of `ArgType` `T`. */
export type ArgValue<T extends ArgType> = T extends 'address'
  ? Address
  : T extends 'uint256' | 'int256'
    ? bigint
    : T extends 'bool'
      ? boolean
      : T extends 'string'
        ? string
        : Hex

/** Ordered argument schema of a method: name to type (object key order is the encoding order). */
export type ArgsSchema = Record<string, ArgType>

export type ArgsOf<S extends ArgsSchema> = { [K in keyof S]: ArgValue<S[K]> }

/** A configuration value of a program (JSON plus bigint), frozen inside the sandbox. */
export type ConfigValue = string | number | boolean | bigint | null | ConfigValue[] | { [key: string]: ConfigValue }

/** What a method's gas cost is made of: static, per byte of the transaction, per declared account. */
export interface MethodGas {
  base: bigint
  perByte: bigint
  perAccount: bigint
}

/**
 * The only things a program can reach. Everything goes through it, so the VM sees (and, in locking mode,
 * checks) every account a transaction touches.
 */
export interface ProgramContext<Config extends Record<string, ConfigValue> = Record<string, ConfigValue>> {
  readonly sender: Address
  readonly program: string
  /** The program's own address (its logs come from it; it can hold and move native balance). */
  readonly programAddress: Address
  readonly blockNumber: bigint
  readonly timestamp: bigint
  readonly config: Config
  /** A value of this program's record at `account` (0 when unset). */
  get(account: Address, key: string): bigint
  /** Sets a value of this program's record at `account` (0 deletes); 0 <= value < 2^256. */
  set(account: Address, key: string, value: bigint): void
  /** Native balance of an account. */
  balance(account: Address): bigint
  /** Moves native balance; `from` must be the sender or the program's own address. */
  transfer(from: Address, to: Address, amount: bigint): void
  /** Creates native balance; only programs with the `mint` capability. */
  mint(to: Address, amount: bigint): void
  /** Emits a log from the program's address; topic 0 is keccak256(event). */
  emit(event: string, ...values: (bigint | string | boolean)[]): void
  /** Stops the transaction: state untouched, gas charged. */
  revert(reason: string): never
  /** Reverts with `reason` unless `condition` holds. */
  assert(condition: unknown, reason: string): void
  /** A deterministic address derived from parts (cells of a grid, a leaderboard). */
  derive(...parts: (string | bigint)[]): Address
}

// biome-ignore lint/suspicious/noExplicitAny: the default lets a method stand alone; defineProgram infers the real config type
export interface MethodDefinition<S extends ArgsSchema = ArgsSchema, C extends Record<string, ConfigValue> = any> {
  args: S
  gas?: Partial<MethodGas> | undefined
  /**
   * Runs inside the sandbox. Its source is compiled again there, so it may use only its parameters,
   * the language's deterministic built-ins and `ctx` (no imports, no outer variables).
   */
  run(ctx: ProgramContext<C>, args: ArgsOf<S>): void
  /** The accounts a call reads and writes, for clients that build transactions (runs outside the sandbox). */
  accounts?: ((args: ArgsOf<S>, sender: Address) => { reads: Address[]; writes: Address[] }) | undefined
}

export type Capability = 'mint'

export interface ProgramDefinition<
  C extends Record<string, ConfigValue> = Record<string, ConfigValue>,
  M extends Record<string, ArgsSchema> = Record<string, ArgsSchema>,
> {
  /** Lower-case id: letters, digits and dashes. */
  id: string
  config?: C | undefined
  capabilities?: readonly Capability[] | undefined
  /** Whether the program keeps records (false for programs that only move native balance). */
  data?: boolean | undefined
  methods: { [K in keyof M]: MethodDefinition<M[K], C> }
}

export interface CompiledMethod {
  name: string
  args: [name: string, type: ArgType][]
  gas: MethodGas
  /** Source of `run`, recompiled inside the sandbox. */
  source: string
  accounts?: ((args: ArgsOf<ArgsSchema>, sender: Address) => { reads: Address[]; writes: Address[] }) | undefined
}

/** A registered program, as `defineProgram` returns it. */
export interface Program {
  id: string
  address: Address
  config: Record<string, ConfigValue>
  capabilities: Capability[]
  data: boolean
  methods: Record<string, CompiledMethod>
}

/** The serializable part of a program, sent to worker threads. */
export interface ProgramSpec {
  id: string
  address: Address
  configJson: string
  capabilities: Capability[]
  data: boolean
  methods: { name: string; args: [string, ArgType][]; gas: MethodGas; source: string }[]
}

export const DEFAULT_GAS: MethodGas = { base: 2_000n, perByte: 8n, perAccount: 400n }
const ARG_TYPES: readonly ArgType[] = ['address', 'uint256', 'int256', 'bool', 'string', 'bytes32']
const ID = /^[a-z][a-z0-9-]{0,31}$/
const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/

/**
 * The address of a program: its logs come from there and it can hold native balance.
 *
 * @example
 * ```ts
 * programAddress('token') // '0x...'
 * ```
 */
export function programAddress(id: string): Address {
  return bytesToHex(keccak256(new TextEncoder().encode(`appchain.program:${id}`)).subarray(12)) as Address
}

/**
 * Registers a deterministic program: id, methods with typed arguments, gas and the accounts they touch.
 * Each `run` is recompiled from its source inside a locked-down `node:vm` context, so it cannot close over
 * module variables or reach clocks, randomness, I/O or host globals.
 *
 * @example
 * ```ts
 * const counter = defineProgram({
 *   id: 'counter',
 *   methods: {
 *     bump: {
 *       args: { by: 'uint256' },
 *       run(ctx, args) { ctx.set(ctx.sender, 'n', ctx.get(ctx.sender, 'n') + args.by) },
 *       accounts: (_, sender) => ({ reads: [], writes: [sender] }),
 *     },
 *   },
 * })
 * ```
 */
export function defineProgram<C extends Record<string, ConfigValue>, const M extends Record<string, ArgsSchema>>(
  def: ProgramDefinition<C, M>,
): Program {
  if (typeof def?.id !== 'string' || !ID.test(def.id)) {
    throw new ProgramDefinitionError({ program: String(def?.id), reason: 'id must match /^[a-z][a-z0-9-]{0,31}$/' })
  }
  const methods: Record<string, CompiledMethod> = {}
  for (const [name, m] of Object.entries(def.methods ?? {}) as [string, MethodDefinition<ArgsSchema, C>][]) {
    if (!NAME.test(name)) throw new ProgramDefinitionError({ program: def.id, reason: `bad method name ${name}` })
    if (typeof m.run !== 'function')
      throw new ProgramDefinitionError({ program: def.id, reason: `${name}.run is not a function` })
    const args: [string, ArgType][] = []
    for (const [arg, type] of Object.entries(m.args ?? {}) as [string, ArgType][]) {
      if (!NAME.test(arg))
        throw new ProgramDefinitionError({ program: def.id, reason: `bad argument name ${name}.${arg}` })
      if (!ARG_TYPES.includes(type)) {
        throw new ProgramDefinitionError({
          program: def.id,
          reason: `argument ${name}.${arg} has unknown type ${type}`,
        })
      }
      args.push([arg, type])
    }
    const gas = { ...DEFAULT_GAS, ...m.gas }
    for (const [k, v] of Object.entries(gas)) {
      if (typeof v !== 'bigint' || v < 0n)
        throw new ProgramDefinitionError({
          program: def.id,
          reason: `gas.${k} of ${name} must be a non-negative bigint`,
        })
    }
    methods[name] = { name, args, gas, source: m.run.toString(), accounts: m.accounts }
  }
  if (Object.keys(methods).length === 0) throw new ProgramDefinitionError({ program: def.id, reason: 'no methods' })
  return {
    id: def.id,
    address: programAddress(def.id),
    config: (def.config ?? {}) as Record<string, ConfigValue>,
    capabilities: [...(def.capabilities ?? [])],
    data: def.data ?? true,
    methods,
  }
}

/** The part of a program that crosses to worker threads. */
export function programSpec(p: Program): ProgramSpec {
  return {
    id: p.id,
    address: p.address,
    configJson: stringifyTagged(p.config),
    capabilities: p.capabilities,
    data: p.data,
    methods: Object.values(p.methods).map((m) => ({ name: m.name, args: m.args, gas: m.gas, source: m.source })),
  }
}

/** JSON with bigints as `{"$n":"<decimal>"}` (the sandbox parses the same form). */
export function stringifyTagged(value: unknown): string {
  return JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? { $n: v.toString() } : v))
}

export function parseTagged(json: string): unknown {
  return JSON.parse(json, (_, v) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) && typeof v.$n === 'string' && Object.keys(v).length === 1
      ? BigInt(v.$n)
      : v,
  )
}
