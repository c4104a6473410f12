import * as vm from 'node:vm'
import type { ProgramSpec } from './program.js'

/**
 * What the host provides to a running program. Each call crosses the realm boundary with primitives only,
 * so no host object (and no host `Function`) is ever reachable from program code.
 */
export interface Bridge {
  get(account: string, key: string): bigint
  set(account: string, key: string, value: bigint): void
  balance(account: string): bigint
  transfer(from: string, to: string, amount: bigint): void
  mint(to: string, amount: bigint): void
  /** `values`: the emitted values packed by the sandbox (see `encodeLogValues`). */
  emit(event: string, values: string): void
  derive(parts: string): string
  /** A forbidden global was touched. */
  forbidden(name: string): void
  revert(reason: string): void
}

/** How a call ended, before the host looks at faults its bridge recorded. */
export type Outcome = { ok: true } | { ok: false; kind: 'throw' | 'contract'; reason: string }

export interface CallEnv {
  sender: string
  blockNumber: bigint
  timestamp: bigint
}

export interface Sandbox {
  /** Runs `program.method(args)`; the bridge's methods may throw to stop the program (recorded by the caller). */
  call(program: string, method: string, argsJson: string, env: CallEnv, bridge: Bridge): Outcome
}

/** Globals a deterministic program must not reach; touching one stops the transaction with `ForbiddenGlobalError`. */
export const FORBIDDEN_GLOBALS = [
  'Date',
  'performance',
  'process',
  'require',
  'module',
  'exports',
  'fetch',
  'XMLHttpRequest',
  'WebSocket',
  'setTimeout',
  'setInterval',
  'setImmediate',
  'clearTimeout',
  'clearInterval',
  'queueMicrotask',
  'WeakRef',
  'FinalizationRegistry',
  'SharedArrayBuffer',
  'Atomics',
  'WebAssembly',
  'Intl',
  'eval',
  'Function',
  'globalThis',
  'Buffer',
  'crypto',
  'console',
  'Proxy',
] as const

// Runs once per context, before any program code: replaces forbidden globals with tripwires, removes
// Math.random, freezes every intrinsic (no state can survive from one transaction to the next) and
// returns the registration and call entry points. Strict mode everywhere: no sloppy `this` to the global.
const BOOT = `(function boot(H, ABORT, forbidden) {
  'use strict';
  const g = globalThis;
  const O = Object, R = Reflect, JSONp = JSON.parse, BI = BigInt, Str = String, isArr = Array.isArray;
  class Abort { }
  const call = (op, a, b, c) => { const r = H(op, a, b, c); if (r === ABORT) throw new Abort(); return r; };
  const M = {};
  for (const k of O.getOwnPropertyNames(Math)) if (k !== 'random') O.defineProperty(M, k, O.getOwnPropertyDescriptor(Math, k));
  O.defineProperty(M, 'random', { get() { call('forbidden', 'Math.random'); }, enumerable: false });
  delete g.Math;
  O.defineProperty(g, 'Math', { value: M, writable: false, configurable: false, enumerable: false });
  for (const name of forbidden) {
    delete g[name];
    O.defineProperty(g, name, { get() { call('forbidden', name); }, configurable: false, enumerable: false });
  }
  const seen = new Set();
  const freeze = (o) => {
    if (o === null || (typeof o !== 'object' && typeof o !== 'function') || seen.has(o)) return;
    seen.add(o); O.freeze(o);
    for (const k of R.ownKeys(o)) { const d = R.getOwnPropertyDescriptor(o, k); if (!d) continue; if ('value' in d) freeze(d.value); else { freeze(d.get); freeze(d.set); } }
    freeze(R.getPrototypeOf(o));
  };
  for (const k of O.getOwnPropertyNames(g)) {
    if (forbidden.includes(k)) continue;
    const d = R.getOwnPropertyDescriptor(g, k);
    if (d && 'value' in d) { freeze(d.value); if (d.configurable) O.defineProperty(g, k, { value: d.value, writable: false, configurable: false, enumerable: d.enumerable }); }
  }
  freeze(R.getPrototypeOf(function () {})); freeze(R.getPrototypeOf(async function () {})); freeze(R.getPrototypeOf(function* () {}));
  freeze(R.getPrototypeOf(async function* () {})); freeze(Abort);
  const revive = (_, v) => (v !== null && typeof v === 'object' && !isArr(v) && typeof v.$n === 'string' && O.keys(v).length === 1 ? BI(v.$n) : v);
  const deepFreeze = (v) => { if (v !== null && typeof v === 'object') { O.freeze(v); for (const k of O.keys(v)) deepFreeze(v[k]); } return v; };
  // ctx's functions hold no per-call state, so every call shares one frozen set of them.
  const cGet = O.freeze((account, key) => call('get', account, key));
  const cSet = O.freeze((account, key, value) => { call('set', account, key, value); });
  const cBalance = O.freeze((account) => call('balance', account));
  const cTransfer = O.freeze((from, to, amount) => { call('transfer', from, to, amount); });
  const cMint = O.freeze((to, amount) => { call('mint', to, amount); });
  // Values cross packed in one string: n<hex>: (uint, two's complement for negatives), T / F, s<length>:<text>.
  const cEmit = O.freeze((event, ...values) => {
    let packed = '';
    for (const v of values) {
      if (typeof v === 'bigint') packed += 'n' + (v < 0n ? (1n << 256n) + v : v).toString(16) + ':';
      else if (typeof v === 'boolean') packed += v ? 'T' : 'F';
      else { const t = Str(v); packed += 's' + t.length + ':' + t; }
    }
    call('emit', Str(event), packed);
  });
  const cRevert = O.freeze((reason) => { call('revert', Str(reason)); throw new Abort(); });
  const cAssert = O.freeze((cond, reason) => { if (!cond) { call('revert', Str(reason)); throw new Abort(); } });
  const cDerive = O.freeze((...parts) => call('derive', parts.map((x) => (typeof x === 'bigint' ? 'n' + x.toString() : 's' + Str(x))).join('\\u0000')));
  const programs = new Map();
  function register(id, address, configJson, method, types, fn) {
    let p = programs.get(id);
    if (!p) { p = { address, config: deepFreeze(JSONp(configJson, revive)), methods: new Map() }; programs.set(id, p); }
    O.freeze(fn);
    p.methods.set(method, { fn, types: O.freeze(JSONp(types)) });
  }
  function entry(id, method, argsJson, sender, blockNumber, timestamp) {
    const p = programs.get(id); const m = p && p.methods.get(method);
    if (!m) return 'contract:unknown method';
    const raw = JSONp(argsJson);
    const args = {};
    for (let i = 0; i < m.types.length; i++) {
      const [name, type] = m.types[i];
      args[name] = type === 'uint256' || type === 'int256' ? BI(raw[i]) : raw[i];
    }
    O.freeze(args);
    const ctx = O.freeze({
      sender, program: id, programAddress: p.address, blockNumber, timestamp, config: p.config,
      get: cGet, set: cSet, balance: cBalance, transfer: cTransfer, mint: cMint, emit: cEmit, revert: cRevert,
      assert: cAssert, derive: cDerive,
    });
    try {
      const r = m.fn(ctx, args);
      if (r !== null && (typeof r === 'object' || typeof r === 'function') && typeof r.then === 'function') return 'contract:run returned a promise; programs are synchronous';
      return '';
    } catch (e) {
      if (e instanceof Abort) return 'abort:';
      let msg;
      try { msg = e !== null && typeof e === 'object' && 'message' in e ? Str(e.message) : Str(e); } catch { msg = 'unprintable error'; }
      return 'throw:' + msg;
    }
  }
  return O.freeze({ register, entry });
})`

const ABORT_SRC = '(Object.freeze({ abort: true }))'

/**
 * A locked-down `node:vm` context holding the given programs. Program sources are recompiled inside it in
 * strict mode; eval and `new Function` are disabled by `codeGeneration`, forbidden globals are tripwires,
 * intrinsics are frozen. Not a defence against V8 bugs, but it keeps honest programs deterministic and makes
 * dishonest ones fail loudly.
 *
 * @example
 * ```ts
 * const sandbox = createSandbox([programSpec(token)])
 * sandbox.call('token', 'transfer', '["0x...","5"]', env, bridge)
 * ```
 */
export function createSandbox(specs: readonly ProgramSpec[]): Sandbox {
  const context = vm.createContext(Object.create(null), {
    name: 'appchain-program',
    codeGeneration: { strings: false, wasm: false },
  })
  const ABORT = vm.runInContext(ABORT_SRC, context) as object
  let bridge: Bridge | undefined
  let stopped = false
  const H = (op: string, a: unknown, b: unknown, c: unknown): unknown => {
    if (!bridge || stopped) return ABORT
    try {
      switch (op) {
        case 'get':
          return bridge.get(str(a), str(b))
        case 'set':
          bridge.set(str(a), str(b), big(c))
          return undefined
        case 'balance':
          return bridge.balance(str(a))
        case 'transfer':
          bridge.transfer(str(a), str(b), big(c))
          return undefined
        case 'mint':
          bridge.mint(str(a), big(b))
          return undefined
        case 'emit':
          bridge.emit(str(a), str(b))
          return undefined
        case 'derive':
          return bridge.derive(str(a))
        case 'forbidden':
          stopped = true
          bridge.forbidden(str(a))
          return ABORT
        case 'revert':
          stopped = true
          bridge.revert(str(a))
          return ABORT
        default:
          return ABORT
      }
    } catch {
      // The bridge recorded why; once stopped, the program cannot get anything more out of the host.
      stopped = true
      return ABORT
    }
  }
  const boot = vm.runInContext(BOOT, context) as (
    h: typeof H,
    abort: object,
    forbidden: readonly string[],
  ) => {
    register(id: string, address: string, configJson: string, method: string, types: string, fn: unknown): void
    entry(id: string, method: string, argsJson: string, sender: string, blockNumber: bigint, timestamp: bigint): string
  }
  const api = boot(H, ABORT, [...FORBIDDEN_GLOBALS])
  for (const spec of specs) {
    for (const m of spec.methods) {
      const fn = compile(m.source, context)
      api.register(spec.id, spec.address, spec.configJson, m.name, JSON.stringify(m.args), fn)
    }
  }
  return {
    call(program, method, argsJson, env, b) {
      bridge = b
      stopped = false
      try {
        const r = api.entry(program, method, argsJson, env.sender, env.blockNumber, env.timestamp)
        if (r === '') return { ok: true }
        if (r.startsWith('contract:')) return { ok: false, kind: 'contract', reason: r.slice(9) }
        if (r.startsWith('throw:')) return { ok: false, kind: 'throw', reason: r.slice(6) }
        return { ok: false, kind: 'throw', reason: 'aborted' }
      } finally {
        bridge = undefined
      }
    },
  }
}

function str(v: unknown): string {
  if (typeof v !== 'string') throw new TypeError('expected a string')
  return v
}

function big(v: unknown): bigint {
  if (typeof v !== 'bigint') throw new TypeError('expected a bigint')
  return v
}

/** Compiles a function's source (function, arrow or method shorthand) inside the context, in strict mode. */
function compile(source: string, context: vm.Context): unknown {
  const attempts = [`'use strict'; (${source})`, `'use strict'; ({ ${source} })`]
  let lastError: unknown
  for (const code of attempts) {
    let script: vm.Script
    try {
      script = new vm.Script(code, { filename: 'program.js' })
    } catch (e) {
      lastError = e
      continue
    }
    const value = script.runInContext(context) as unknown
    if (typeof value === 'function') return value
    if (value && typeof value === 'object') {
      const fn = Object.values(value)[0]
      if (typeof fn === 'function') return fn
    }
  }
  throw new TypeError(`Cannot compile program method: ${String(lastError)}`)
}
