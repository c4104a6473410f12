import type { Address } from '@appchain/core'
import { describe, expect, it } from 'vitest'
import { executeTx, type ProgramInfo, type Store } from './executor.js'
import { defineProgram, programSpec } from './program.js'
import { createSandbox } from './sandbox.js'

const sender = '0x00000000000000000000000000000000000000aa' as Address
const outside = 42n

const probe = defineProgram({
  id: 'probe',
  methods: {
    clock: { args: {}, run: () => void Date.now() },
    random: { args: {}, run: () => void Math.random() },
    proc: {
      args: {},
      run: () => void (globalThis as unknown as { process: { exit(n: number): void } }).process.exit(1),
    },
    bareProcess: { args: {}, run: () => void process.exit(1) },
    net: { args: {}, run: () => void fetch('http://127.0.0.1') },
    req: { args: {}, run: () => void require('node:fs') },
    // biome-ignore lint/security/noGlobalEval: the sandbox must refuse exactly this
    evalIt: { args: {}, run: () => void eval('1 + 1') },
    fnCtor: { args: {}, run: () => void [].constructor.constructor('return 1')() },
    timer: { args: {}, run: () => void setTimeout(() => {}, 1) },
    caught: {
      args: {},
      run(ctx) {
        try {
          Date.now()
        } catch {
          ctx.set(ctx.sender, 'n', 1n)
        }
      },
    },
    closure: { args: {}, run: (ctx) => ctx.set(ctx.sender, 'n', outside) },
    pollute: {
      args: {},
      run: () => {
        ;(Object.prototype as Record<string, unknown>).x = 1
      },
    },
    async: { args: {}, run: (async () => {}) as unknown as () => void },
    ok: { args: { n: 'uint256' }, run: (ctx, args) => ctx.set(ctx.sender, 'n', args.n * 2n + BigInt(Math.max(1, 2))) },
  },
})

const sandbox = createSandbox([programSpec(probe)])
const infos = new Map<string, ProgramInfo>([['probe', { address: probe.address, capabilities: [], data: true }]])
const store: Store = { balance: () => 0n, record: () => new Map() }
const exec = (method: string, argsJson = '[]') =>
  executeTx(
    sandbox,
    infos,
    { index: 0, program: 'probe', method, argsJson, sender, reads: [], writes: [sender] },
    store,
    { blockNumber: 1n, timestamp: 1n },
    'locks',
  )

describe('program sandbox', () => {
  it.each([
    ['clock', 'Date'],
    ['random', 'Math.random'],
    ['proc', 'globalThis'],
    ['bareProcess', 'process'],
    ['net', 'fetch'],
    ['req', 'require'],
    ['evalIt', 'eval'],
    ['timer', 'setTimeout'],
  ])('stops %s with ForbiddenGlobalError naming %s', (method, global) => {
    const out = exec(method)
    expect(out.status).toBe('reverted')
    expect(out.error?.name).toBe('ForbiddenGlobalError')
    expect(out.error?.message).toContain(`forbidden global ${global}`)
  })

  it('fails the transaction even when the program catches the tripwire', () => {
    const out = exec('caught')
    expect(out.error?.name).toBe('ForbiddenGlobalError')
    expect(out.records.size).toBe(0)
  })

  it('blocks code generation through the Function constructor', () => {
    const out = exec('fnCtor')
    expect(out.status).toBe('reverted')
    expect(out.error?.message).toMatch(/Code generation from strings disallowed/)
  })

  it('recompiles run from source, so module variables are out of reach', () => {
    const out = exec('closure')
    expect(out.error?.name).toBe('ProgramRevertedError')
    expect(out.error?.message).toContain('outside is not defined')
  })

  it('freezes intrinsics so nothing carries over between transactions', () => {
    expect(exec('pollute').error?.message).toMatch(/not extensible/)
    expect(({} as Record<string, unknown>).x).toBeUndefined()
  })

  it('refuses asynchronous programs', () => {
    expect(exec('async').error?.name).toBe('ProgramContractError')
  })

  it('runs deterministic code with its typed arguments', () => {
    const out = exec('ok', '["20"]')
    expect(out.status).toBe('success')
    expect(out.records.get(`probe|${sender}`)?.get('n')).toBe(42n)
  })
})
