export type DbOp = { type: 'put'; key: Uint8Array; value: Uint8Array } | { type: 'del'; key: Uint8Array }

export interface DbRange {
  gt?: Uint8Array | undefined
  gte?: Uint8Array | undefined
  lt?: Uint8Array | undefined
  lte?: Uint8Array | undefined
  reverse?: boolean | undefined
  limit?: number | undefined
}

/**
 * A byte-keyed, byte-ordered key-value store. `batch` is atomic: after a crash either every op
 * of a batch is visible or none is. Implementations: `memoryDb()`, `levelDb({ path })`.
 */
export interface Db {
  get(key: Uint8Array): Promise<Uint8Array | undefined>
  /** Values in the order of the keys; undefined where absent. */
  getMany(keys: Uint8Array[]): Promise<(Uint8Array | undefined)[]>
  put(key: Uint8Array, value: Uint8Array): Promise<void>
  del(key: Uint8Array): Promise<void>
  /** Atomic: all or nothing, durable once it resolves (with `sync` where the backend supports it). */
  batch(ops: DbOp[]): Promise<void>
  /** Entries in byte order of keys (reverse when asked), within the range. */
  iterator(range?: DbRange): AsyncIterable<[Uint8Array, Uint8Array]>
  close(): Promise<void>
}
