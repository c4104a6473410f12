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
  const written = new Set<Address>()
  for (const t of txs) for (const a of t.writes) written.add(a)
  const parent = txs.map((_, i) => i)
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
  const owner = new Map<Address, number>()
  const link = (i: number, a: Address) => {
    const o = owner.get(a)
    if (o === undefined) owner.set(a, i)
    else {
      const ra = find(i)
      const rb = find(o)
      if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb)
    }
  }
  txs.forEach((t, i) => {
    for (const a of t.writes) link(i, a)
    for (const a of t.reads) if (written.has(a)) link(i, a)
  })
  const groups = new Map<number, number[]>()
  for (let i = 0; i < txs.length; i++) {
    const r = find(i)
    let g = groups.get(r)
    if (!g) {
      g = []
      groups.set(r, g)
    }
    g.push(i)
  }
  return [...groups.values()]
}

/**
 * Spreads groups over `threads` (largest first onto the least loaded thread); each thread's indices ascend.
 *
 * @example
 * ```ts
 * assignGroups([[0, 2], [1], [3]], 2) // [[0, 2], [1, 3]]
 * ```
 */
export function assignGroups(
  groups: readonly number[][],
  threads: number,
  weight: (i: number) => number = () => 1,
): number[][] {
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be a positive integer: ${threads}`)
  const load = new Array<number>(threads).fill(0)
  const out: number[][] = Array.from({ length: threads }, () => [])
  const sized = groups
    .map((g) => ({ g, w: g.reduce((s, i) => s + weight(i), 0) }))
    .sort((a, b) => b.w - a.w || a.g[0]! - b.g[0]!)
  for (const { g, w } of sized) {
    let best = 0
    for (let t = 1; t < threads; t++) if (load[t]! < load[best]!) best = t
    load[best]! += w
    for (const i of g) out[best]!.push(i)
  }
  for (const o of out) o.sort((a, b) => a - b)
  return out
}
