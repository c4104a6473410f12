/**
 * A binary min-heap under `less`. Small and allocation-light: ordering policies merge per-sender queues with it.
 *
 * @example
 * ```ts
 * const h = createHeap<number>((a, b) => a < b)
 * h.push(3); h.push(1)
 * h.pop() // 1
 * ```
 */
export function createHeap<T>(less: (a: T, b: T) => boolean) {
  const items: T[] = []
  const swap = (i: number, j: number) => {
    const t = items[i]!
    items[i] = items[j]!
    items[j] = t
  }
  return {
    get size() {
      return items.length
    },
    push(item: T) {
      items.push(item)
      let i = items.length - 1
      while (i > 0) {
        const p = (i - 1) >> 1
        if (!less(items[i]!, items[p]!)) break
        swap(i, p)
        i = p
      }
    },
    pop(): T | undefined {
      if (items.length === 0) return undefined
      const top = items[0]!
      const last = items.pop()!
      if (items.length > 0) {
        items[0] = last
        let i = 0
        while (true) {
          const l = 2 * i + 1
          const r = l + 1
          let m = i
          if (l < items.length && less(items[l]!, items[m]!)) m = l
          if (r < items.length && less(items[r]!, items[m]!)) m = r
          if (m === i) break
          swap(i, m)
          i = m
        }
      }
      return top
    },
  }
}
