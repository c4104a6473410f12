import type { Address } from '@appchain/core'

export interface Declared {
  reads: readonly Address[]
  writes: readonly Address[]
  /** Relative cost, for balancing threads. */
  weight?: number | undefined
}

/**
 * Sealevel-style lock groups: transactions connected through an account that some transaction of the block
 * writes (write locks are exclusive) fall into one group, executed in block order on one thread. Accounts only
 * read in the block (shared read locks) connect nothing. Groups share no written account, so running them in
 * parallel gives the sequential result. Returns groups of block indices, each ascending, ordered by first index.
 *
 * @example
 * ```ts
 * lockGroups([{ reads: [], writes: [a, b] }, { reads: [], writes: [c] }, { reads: [b], writes: [] }]) // [[0, 2], [1]]
 * ```
 */
export function lockGroups(txs: readonly Declared[]): number[][] {
  const n = txs.length
  const parent = new Int32Array(n)
  for (let i = 0; i < n; i++) parent[i] = i
  const find = (i: number): number => {
    let r = i
    while (parent[r] !== r) r = parent[r]!
    while (parent[i] !== r) {
      const next = parent[i]!
      parent[i] = r
      i = next
    }
    return r
  }
  const union = (i: number, j: number) => {
    const ra = find(i)
    const rb = find(j)
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb)
  }
  // Writes first: `owner` maps every written account to its first writer, so it is also the set of
  // written accounts the reads then look up.
  const owner = new Map<Address, number>()
  for (let i = 0; i < n; i++) {
    for (const a of txs[i]!.writes) {
      const o = owner.get(a)
      if (o === undefined) owner.set(a, i)
      else union(i, o)
    }
  }
  for (let i = 0; i < n; i++) {
    for (const a of txs[i]!.reads) {
      const o = owner.get(a)
      if (o !== undefined) union(i, o)
    }
  }
  // A root is its group's smallest index, so groups come out ordered by first index.
  const slot = new Int32Array(n)
  const groups: number[][] = []
  for (let i = 0; i < n; i++) {
    const r = find(i)
    if (r === i) {
      slot[i] = groups.length
      groups.push([i])
    } else groups[slot[r]!]!.push(i)
  }
  return groups
}

/**
 * Spreads groups over `threads` (largest first onto the least loaded thread); each thread's indices ascend.
 *
 * @example
 * ```ts
 * assignGroups([[0, 2], [1], [3]], 2) // [[0, 2], [1, 3]]
 * ```
 */
export function assignGroups(groups: readonly number[][], threads: number, weight?: (i: number) => number): number[][] {
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be a positive integer: ${threads}`)
  const load = new Array<number>(threads).fill(0)
  const out: number[][] = Array.from({ length: threads }, () => [])
  const sized = groups
    .map((g) => ({ g, w: weight ? g.reduce((s, i) => s + weight(i), 0) : g.length }))
    .sort((a, b) => b.w - a.w || a.g[0]! - b.g[0]!)
  // Which thread each transaction goes to; reading it back in index order gives ascending lists without a sort.
  let size = 0
  for (const g of groups) for (const i of g) if (i >= size) size = i + 1
  const threadOf = new Int32Array(size).fill(-1)
  for (const { g, w } of sized) {
    let best = 0
    for (let t = 1; t < threads; t++) if (load[t]! < load[best]!) best = t
    load[best]! += w
    for (const i of g) threadOf[i] = best
  }
  for (let i = 0; i < threadOf.length; i++) if (threadOf[i]! >= 0) out[threadOf[i]!]!.push(i)
  return out
}

/** One message's worth of work for one thread: whole lock groups, indices ascending. */
export interface PlannedBatch {
  thread: number
  indices: number[]
}

/**
 * `assignGroups`, cut into batches of whole groups of about `maxBatch` transactions, in dispatch order (each
 * thread's first batch, then each thread's second, ...). Batches share no written account, so each can be
 * packed from the block's state as soon as its own accounts are loaded while the threads run earlier ones.
 *
 * @example
 * ```ts
 * batchPlan([[0], [1], [2], [3]], 2, 1) // [{ thread: 0, indices: [0] }, { thread: 1, indices: [1] }, { thread: 0, indices: [2] }, { thread: 1, indices: [3] }]
 * ```
 */
export function batchPlan(groups: readonly number[][], threads: number, maxBatch: number): PlannedBatch[] {
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be a positive integer: ${threads}`)
  if (!Number.isInteger(maxBatch) || maxBatch < 1)
    throw new RangeError(`maxBatch must be a positive integer: ${maxBatch}`)
  const load = new Array<number>(threads).fill(0)
  const perThread: (readonly number[])[][] = Array.from({ length: threads }, () => [])
  const sized = [...groups].sort((a, b) => b.length - a.length || a[0]! - b[0]!)
  for (const g of sized) {
    if (g.length === 0) continue
    let best = 0
    for (let t = 1; t < threads; t++) if (load[t]! < load[best]!) best = t
    load[best]! += g.length
    perThread[best]!.push(g)
  }
  const batches: PlannedBatch[][] = perThread.map((gs, thread) => {
    // A thread runs its groups in block order (by first index), cut after whole groups.
    gs.sort((a, b) => a[0]! - b[0]!)
    const out: PlannedBatch[] = []
    let current: number[] = []
    for (const g of gs) {
      for (const i of g) current.push(i)
      if (current.length >= maxBatch) {
        out.push({ thread, indices: current.sort((a, b) => a - b) })
        current = []
      }
    }
    if (current.length > 0) out.push({ thread, indices: current.sort((a, b) => a - b) })
    return out
  })
  const order: PlannedBatch[] = []
  for (let round = 0; batches.some((b) => round < b.length); round++)
    for (const b of batches) if (round < b.length) order.push(b[round]!)
  return order
}
