import type { BlockFees, GasModel, GasStore, TxEnvelope } from '@appchain/core'
import { DECAY_SCALE, DEMAND_UNIT, decay, decodeDemand, encodeDemand, writeDemand } from './demand.js'
import { hideSyncVariants } from './hideSyncVariants.js'
import { configNamespace, configPpm } from './validateConfig.js'

export interface LocalFeeMarketsConfig {
  /** The model whose per-gas base fee is scaled for hot accounts (eip1559, typically). */
  base: GasModel
  /** Smoothed writes per block above which an account is hot. Default 8. */
  hotThreshold?: number | undefined
  /** Price increase per `hotThreshold` of excess demand: 1 doubles the price at twice the threshold. Default 1. */
  multiplier?: number | undefined
  /** Fraction of an account's demand forgotten each block (0 < decay ≤ 1). Default 0.5. */
  decay?: number | undefined
  /** `GasStore` key prefix. Default 'lfm'. */
  namespace?: string | undefined
}

/**
 * Local fee markets, as in Solana: the price of a transaction rises with recent demand for the accounts it
 * writes, so a hot contract (an NFT mint, a popular pool) gets expensive while everything else stays cheap.
 *
 * Demand per account is an exponential moving average of the transactions per block that write it
 * (`d ← d × (1 − decay) + decay × writes`), kept in the `GasStore` by `observeBlock`. A transaction pays
 * `base`'s fees with the base fee multiplied by `1 + multiplier × (d − hotThreshold) / hotThreshold` for its
 * hottest written account (×1 when none is hot). Write sets come from `tx.accessSet.writes`: declared accounts
 * (parallel VM), inputs (UTXO VM), the access list or observed writes (EVM). Scaling applies to the per-gas
 * base fee, so `base` should price per gas (eip1559); over a zero base fee there is nothing to scale.
 *
 * @example
 * ```ts
 * import { eip1559, localFeeMarkets } from '@appchain/gas'
 * const gas = localFeeMarkets({ base: eip1559(), hotThreshold: 20, multiplier: 1, decay: 0.5 })
 * ```
 */
export function localFeeMarkets(config: LocalFeeMarketsConfig): GasModel & {
  /** The price factor of a transaction in millionths (1_000_000 = cold), as block `blockNumber` prices it. */
  factorOf(tx: TxEnvelope, blockNumber: bigint, store: GasStore): Promise<bigint>
} {
  const name = 'localFeeMarkets'
  if (config === null || typeof config !== 'object') throw new TypeError('localFeeMarkets: config must be an object')
  const base = config.base
  if (base === null || typeof base !== 'object' || typeof base.charge !== 'function') {
    throw new TypeError('localFeeMarkets: base must be a GasModel')
  }
  // Thresholds in millionths of a transaction, like the stored demand.
  const threshold = configPpm(name, 'hotThreshold', config.hotThreshold ?? 8, { min: 0.000001, max: 1e9 })
  const multiplierPpm = configPpm(name, 'multiplier', config.multiplier ?? 1, { min: 0, max: 1e6 })
  const decayPpm = configPpm(name, 'decay', config.decay ?? 0.5, { min: 0.000001, max: 1 })
  const keepPpm = 1_000_000n - decayPpm
  // decay(v, keepPpm, 1n), the one-block step observeBlock takes per written account, with its factor made once.
  const keepScaled = (keepPpm * DECAY_SCALE) / 1_000_000n
  const decayOneBlock = (v: bigint) => (v === 0n ? 0n : (v * keepScaled) / DECAY_SCALE)
  // decay × writes in millionths of a transaction: (decayPpm × writes × DEMAND_UNIT) / 10^6, exactly
  // writeWeight × writes as DEMAND_UNIT is 10^6.
  const writeWeight = (decayPpm * DEMAND_UNIT) / 1_000_000n
  const namespace = configNamespace(name, config.namespace ?? 'lfm')

  // Demand as of block N − 1 changes only in observeBlock, so within one block (one store object) each account
  // is read once; upfront and charge then share the read. Only demand keys are cached: they are never written
  // by transactions, so a VM that tracks reads for conflicts (Block-STM) loses nothing it needs.
  // Each transaction keeps its accounts' entries of the block's cache (and its factor once known) on itself
  // (`TxDemand`), so upfront, charge and observeBlock find them without a lookup by address: comparing the
  // 42-character keys cost about 0.1 µs per lookup, several per transaction.
  type DemandCache = { asOf: bigint; accounts: Map<string, Entry> }
  let cache = new WeakMap<GasStore, DemandCache>()
  // The VM uses one store for a whole block: remember the last one and skip the WeakMap.
  let lastStore: GasStore | undefined
  let last: DemandCache | undefined
  const cacheFor = (store: GasStore, asOf: bigint): DemandCache => {
    let c = store === lastStore ? last : cache.get(store)
    if (c === undefined || c.asOf !== asOf) {
      c = { asOf, accounts: new Map() }
      cache.set(store, c)
    }
    lastStore = store
    last = c
    return c
  }
  // `blockNumber - 1n` once per block, not once per call.
  let lastBlock = -1n
  let lastAsOf = -1n
  const cacheAt = (store: GasStore, blockNumber: bigint): DemandCache => {
    if (blockNumber !== lastBlock) {
      lastBlock = blockNumber
      lastAsOf = blockNumber - 1n
    }
    return cacheFor(store, lastAsOf)
  }

  const entryIn = (c: DemandCache, account: string): Entry => {
    let e = c.accounts.get(account)
    if (e === undefined) {
      e = { account, key: undefined, demand: 0n, loaded: false, queued: false, writes: 0, owner: c, next: undefined }
      c.accounts.set(account, e)
    }
    return e
  }
  /**
   * `entryIn(c, account)`, starting from the account's entry in the cache the record had before (`old`): the
   * entry remembers its account's entry in the next cache asked for, so the other transactions of the sender (or
   * to the recipient) that went through the same earlier cache (the admission batch's) follow that link instead of
   * a lookup by the address (about 0.1 µs each in a block: cache misses).
   */
  const entryAfter = (old: Entry | undefined, c: DemandCache, account: string): Entry => {
    if (old === undefined || old.account !== account) return entryIn(c, account)
    const linked = old.next
    if (linked !== undefined && linked.owner === c) return linked
    const e = entryIn(c, account)
    old.next = e
    return e
  }
  /** `tx`'s record, with its entries in the block's cache `c` (filled in, on the transaction's one record, if not yet). */
  const recordIn = (tx: TxEnvelope, c: DemandCache): TxDemand => {
    const r = txRecord(tx)
    if (r.cache === c) return r
    const writes = r.writes
    const n = writes.length
    // Up to two entries in the record's own fields (a transfer writes two accounts): no array per transaction.
    // New values, never an array changed in place: a read for another block may still be walking the old one.
    if (n <= 2) {
      const old0 = r.more === undefined ? r.e0 : undefined
      const old1 = r.more === undefined ? r.e1 : undefined
      r.e0 = n > 0 ? entryAfter(old0, c, writes[0]!) : undefined
      r.e1 = n > 1 ? entryAfter(old1, c, writes[1]!) : undefined
      r.more = undefined
    } else {
      const before = r.more
      const more: Entry[] = new Array(n)
      for (let i = 0; i < n; i++) more[i] = entryAfter(before?.[i], c, writes[i]!)
      r.e0 = undefined
      r.e1 = undefined
      r.more = more
    }
    r.n = n
    r.factor = undefined
    r.cache = c
    return r
  }

  /** The demand after block `asOf` of a stored value (`encodeDemand`'s form). */
  const demandAfter = (v: bigint, asOf: bigint) => {
    const { block, demand } = decodeDemand(v)
    return asOf > block ? decay(demand, keepPpm, asOf - block) : demand
  }
  const keyOf = (e: Entry): string => (e.key ??= `${namespace}/${e.account}`)
  const load = (e: Entry, v: bigint, asOf: bigint) => {
    if (e.loaded) return
    e.demand = demandAfter(v, asOf)
    e.loaded = true
  }

  /** The demand of every account `txs` write that the block's cache lacks, in one batched read (`getMany`). */
  const prefetchDemand = async (txs: readonly TxEnvelope[], ctx: { blockNumber: bigint; store: GasStore }) => {
    const store = ctx.store
    if (store.getMany === undefined) return
    const c = cacheAt(store, ctx.blockNumber)
    const missing: Entry[] = []
    // Indexed loops: this runs once per batch, mostly before the optimising compiler has seen it, and an
    // unoptimised for-of allocates an iterator result per element.
    for (let i = 0; i < txs.length; i++) {
      const r = recordIn(txs[i]!, c)
      for (let j = 0; j < r.n; j++) {
        const e = entryAt(r.e0, r.e1, r.more, j)
        if (e.loaded || e.queued) continue
        e.queued = true
        missing.push(e)
      }
    }
    if (missing.length === 0) return
    const values = await store.getMany(missing.map(keyOf))
    for (let i = 0; i < missing.length; i++) load(missing[i]!, values[i]!, c.asOf)
  }

  const factorFor = (hottest: bigint) =>
    hottest <= threshold ? 1_000_000n : 1_000_000n + (multiplierPpm * (hottest - threshold)) / threshold

  /** The factor from the block's cached demand alone; undefined while an account's demand is not read yet. */
  const cachedFactor = (r: TxDemand): bigint | undefined => {
    if (r.factor !== undefined) return r.factor
    const f = factorOfEntries(r.e0, r.e1, r.more, r.n)
    // Demand as of the block before does not change while the cache lives: neither does the factor.
    if (f !== undefined) r.factor = f
    return f
  }
  /** The factor of a record's entries (as `entryAt` reads them) once all are loaded; undefined before. */
  const factorOfEntries = (e0: Entry | undefined, e1: Entry | undefined, more: Entry[] | undefined, n: number) => {
    let hottest = 0n
    for (let i = 0; i < n; i++) {
      const e = entryAt(e0, e1, more, i)
      if (!e.loaded) return undefined
      if (e.demand > hottest) hottest = e.demand
    }
    return factorFor(hottest)
  }

  const loadFactor = async (r: TxDemand, store: GasStore) => {
    // What the record holds now: another block execution may fill it in for its own cache during an await.
    const { e0, e1, more, n } = r
    const c = r.cache!
    for (let i = 0; i < n; i++) {
      const e = entryAt(e0, e1, more, i)
      if (!e.loaded) load(e, await store.get(keyOf(e)), c.asOf)
    }
    const f = factorOfEntries(e0, e1, more, n)!
    if (r.cache === c) r.factor = f
    return f
  }

  /** The factor when everything it needs is in memory (no await); undefined otherwise. */
  const quickFactor = (tx: TxEnvelope, blockNumber: bigint, store: GasStore): bigint | undefined =>
    cachedFactor(recordIn(tx, cacheAt(store, blockNumber)))

  const factorOf = async (tx: TxEnvelope, blockNumber: bigint, store: GasStore) => {
    const r = recordIn(tx, cacheAt(store, blockNumber))
    return cachedFactor(r) ?? (await loadFactor(r, store))
  }

  const scaled = <C extends { fees: BlockFees }>(ctx: C, factor: bigint): C =>
    factor === 1_000_000n
      ? ctx
      : { ...ctx, fees: { ...ctx.fees, baseFeePerGas: (ctx.fees.baseFeePerGas * factor) / 1_000_000n } }

  return hideSyncVariants({
    name,
    factorOf,
    genesisFees: () => base.genesisFees(),
    nextBlockFees: (parent) => base.nextBlockFees(parent),
    // Within a block every account's demand is cached after its first read: then `base` is called directly,
    // with no await (and no promise) of this wrapper's own.
    // Admission reads the batch's cache through the transaction's record, as the block does (the sequencer's
    // prefetch has filled it in for the batch's cache; the block's prefetch fills the same fields in again).
    admit: (tx, ctx) => {
      const f = quickFactor(tx, ctx.blockNumber, ctx.store)
      if (f !== undefined) return base.admit(tx, scaled(ctx, f))
      return factorOf(tx, ctx.blockNumber, ctx.store).then((f) => base.admit(tx, scaled(ctx, f)))
    },
    admitSync: (tx, ctx) => {
      if (base.admitSync === undefined) return false
      const f = quickFactor(tx, ctx.blockNumber, ctx.store)
      return f === undefined ? false : base.admitSync(tx, scaled(ctx, f))
    },
    upfront: (tx, ctx) => {
      const f = quickFactor(tx, ctx.blockNumber, ctx.store)
      if (f !== undefined) return base.upfront(tx, scaled(ctx, f))
      return factorOf(tx, ctx.blockNumber, ctx.store).then((f) => base.upfront(tx, scaled(ctx, f)))
    },
    charge: (tx, gasUsed, ctx) => {
      const f = quickFactor(tx, ctx.blockNumber, ctx.store)
      if (f !== undefined) return base.charge(tx, gasUsed, scaled(ctx, f))
      return factorOf(tx, ctx.blockNumber, ctx.store).then((f) => base.charge(tx, gasUsed, scaled(ctx, f)))
    },
    // Without a promise when the demand is cached and `base` can answer from memory too.
    upfrontSync: (tx, ctx) => {
      if (base.upfrontSync === undefined) return undefined
      const f = quickFactor(tx, ctx.blockNumber, ctx.store)
      return f === undefined ? undefined : base.upfrontSync(tx, scaled(ctx, f))
    },
    chargeSync: (tx, gasUsed, ctx) => {
      if (base.chargeSync === undefined) return undefined
      const f = quickFactor(tx, ctx.blockNumber, ctx.store)
      return f === undefined ? undefined : base.chargeSync(tx, gasUsed, scaled(ctx, f))
    },
    ...(base.release ? { release: (tx, ctx) => base.release!(tx, ctx) } : {}),
    // The block's demand for every written account in one batched read, beside `base`'s own prefetch.
    async prefetch(txs, ctx) {
      await Promise.all([prefetchDemand(txs, ctx), base.prefetch?.(txs, ctx)])
    },
    // Synchronous and store-free by contract: ordering sees the cold price (the tip is what it sorts by).
    priority: (tx, fees) => base.priority(tx, fees),
    quote: (fees) => base.quote(fees),
    async observeBlock(input) {
      await base.observeBlock?.(input)
      // Demand as of the block before is what this block's cache holds for this store: reuse it (unless the
      // inner model may have written the store just now), then forget every cache.
      const asOf = input.blockNumber - 1n
      const reuse = base.observeBlock === undefined && input.store === lastStore && last?.asOf === asOf
      const c: DemandCache = reuse ? last! : { asOf, accounts: new Map() }
      cache = new WeakMap()
      lastStore = undefined
      last = undefined
      // Writes per account, counted on the entries the transactions already point to.
      const written: Entry[] = []
      // Indexed loops, as in prefetch (once per block: an unoptimised for-of allocates per element).
      const txs = input.txs
      for (let i = 0; i < txs.length; i++) {
        const r = recordIn(txs[i]!, c)
        for (let j = 0; j < r.n; j++) {
          const e = entryAt(r.e0, r.e1, r.more, j)
          if (e.writes++ === 0) written.push(e)
        }
      }
      // Sorted so the store sees the same sequence of writes on every node.
      written.sort((a, b) => (a.account < b.account ? -1 : a.account > b.account ? 1 : 0))
      for (let i = 0; i < written.length; i++) {
        const e = written[i]!
        const key = keyOf(e)
        const before = e.loaded ? e.demand : demandAfter(await input.store.get(key), asOf)
        const after = decayOneBlock(before) + writeWeight * BigInt(e.writes)
        if (input.store.put) input.store.put(key, encodeDemand(input.blockNumber, after))
        else await writeDemand(input.store, key, input.blockNumber, after)
      }
    },
  })
}

const NO_WRITES: readonly string[] = []

/** One account's demand as of the block before (once `loaded`), and the writes counted by `observeBlock`. */
type Entry = {
  account: string
  /** The account's store key, made once per block (prefetch's read and observeBlock's write share it). */
  key: string | undefined
  demand: bigint
  loaded: boolean
  queued: boolean
  writes: number
  /** The cache it belongs to, and the same account's entry in the cache asked for after it (see `entryAfter`). */
  owner: object
  next: Entry | undefined
}
/**
 * What the model works out once per transaction object: its canonical write set (with the declared array it came
 * from), and its entries in one block's cache (its canonical writes, in order) with its factor once known.
 */
type TxDemand = {
  declared: readonly string[]
  writes: readonly string[]
  cache: { asOf: bigint } | undefined
  /** The entries of `writes` in `cache`: the first two in `e0`/`e1`, or all of them in `more` past two. */
  e0: Entry | undefined
  e1: Entry | undefined
  more: Entry[] | undefined
  n: number
  factor: bigint | undefined
}

/** Entry `i` (below the record's `n`) of a record's entry fields. */
const entryAt = (e0: Entry | undefined, e1: Entry | undefined, more: Entry[] | undefined, i: number): Entry =>
  more !== undefined ? more[i]! : i === 0 ? e0! : e1!

// The record rides on the transaction object (a symbol-keyed property: checking the case of every address cost
// more than the rest of the model, and a WeakMap entry per transaction more still). One property and one object
// per transaction, filled in as the transaction goes through admission, prefetch, upfront, charge and
// observeBlock: a second property cost another property store and object (a spread copy shares the record, which
// names what it was computed from and is checked on every use).
const RECORD = Symbol('localFeeMarkets')
type WithRecord = TxEnvelope & { [RECORD]?: TxDemand }

/** `tx`'s record: from the transaction when it was made for the same declared write set, else made (and kept). */
function txRecord(tx: TxEnvelope): TxDemand {
  const declared = tx.accessSet?.writes ?? NO_WRITES
  const known = (tx as WithRecord)[RECORD]
  // A copy of the transaction with another write set carries the original's record: checked here.
  if (known !== undefined && known.declared === declared) return known
  const r: TxDemand = {
    declared,
    writes: canonicalOf(declared),
    cache: undefined,
    e0: undefined,
    e1: undefined,
    more: undefined,
    n: 0,
    factor: undefined,
  }
  if (Object.isExtensible(tx)) (tx as WithRecord)[RECORD] = r
  return r
}

/** A declared write set lower-case and deduped: the array itself when it already is. */
function canonicalOf(declared: readonly string[]): readonly string[] {
  if (isCanonical(declared)) return declared
  if (declared.length > 16) return [...new Set(declared.map((a) => a.toLowerCase()))]
  // Typical write sets are a few accounts: a linear scan beats building a Set.
  const out: string[] = []
  for (const a of declared) {
    const lower = a.toLowerCase()
    if (!out.includes(lower)) out.push(lower)
  }
  return out
}

/** True when every address is lower-case and none repeats (small sets only: a linear scan each). */
function isCanonical(writes: readonly string[]): boolean {
  if (writes.length > 16) return false
  for (let i = 0; i < writes.length; i++) {
    const a = writes[i]!
    // One toLowerCase per address: several times faster here than a charCodeAt loop over it.
    if (a.toLowerCase() !== a) return false
    for (let j = 0; j < i; j++) if (writes[j] === a) return false
  }
  return true
}
