export { type AccountRecord, decodeAccount, encodeAccount } from './account.js'
export {
  AccountNotFoundError,
  InvalidProofError,
  InvalidTrieNodeError,
  MissingTrieNodeError,
  NoCheckpointError,
  OpenCheckpointError,
  ReadOnlyStateError,
  StateRootMismatchError,
} from './errors.js'
export { keccak256, keccakReady } from './keccak.js'
export { ACCOUNT_PREFIX, CODE_PREFIX, META_ROOT_KEY, STORAGE_PREFIX } from './keys.js'
export { NODE_PREFIX, type NodeStore, dbNodeStore, memoryNodeStore } from './nodeStore.js'
export { openStateDb, storedStateRoot } from './openStateDb.js'
export { recomputeStateRoot } from './recomputeStateRoot.js'
export { indexKey, orderedTrieRoot } from './orderedTrieRoot.js'
export { type MptStateDb, type StateDbConfig, createStateDb } from './stateDb.js'
export { Trie, type TrieNodeEntry, type TrieOptions, createTrie } from './trie.js'
export { verifyProof, verifyTrieProof } from './verifyProof.js'
