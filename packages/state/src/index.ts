export { type AccountRecord, decodeAccount, encodeAccount } from './account.js'
export {
  type AccountChange,
  AccountShard,
  type NibbleRoot,
  nibbleOf,
  type ShardProof,
  type ShardReader,
  type SubtrieTop,
} from './accountShard.js'
export {
  AccountNotFoundError,
  InvalidProofError,
  InvalidTrieNodeError,
  MissingTrieNodeError,
  NoCheckpointError,
  OpenCheckpointError,
  ReadOnlyStateError,
  ShardFailedError,
  ShardNibblesError,
  StateRootMismatchError,
  UnresolvedTrieNodeError,
} from './errors.js'
export { keccak256, keccakReady } from './keccak.js'
export { ACCOUNT_PREFIX, CODE_PREFIX, META_ROOT_KEY, STORAGE_PREFIX } from './keys.js'
export { dbNodeStore, memoryNodeStore, NODE_PREFIX, type NodeStore } from './nodeStore.js'
export { openStateDb, storedStateRoot } from './openStateDb.js'
export { indexKey, orderedTrieRoot } from './orderedTrieRoot.js'
export { recomputeStateRoot } from './recomputeStateRoot.js'
export { prependNibble, rootOfSubtries, subtrieTops } from './rootNode.js'
export { serveShard } from './serveShard.js'
export { createShardedStateDb, type ShardedStateDb, type ShardedStateDbConfig } from './shardedStateDb.js'
export { shardFlushOps } from './shardFlushOps.js'
export { dbShardReader, inThreadShards, type ShardHandle, shardNibbles } from './shardHost.js'
export { createStateDb, type MptStateDb, type StateDbConfig } from './stateDb.js'
export { createTrie, Trie, type TrieNodeEntry, type TrieOptions } from './trie.js'
export { verifyProof, verifyTrieProof } from './verifyProof.js'
