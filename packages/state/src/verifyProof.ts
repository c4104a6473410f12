import { type AccountProof, bytesToBigint, EMPTY_TRIE_ROOT, type Hex, hexToBytes, KECCAK_EMPTY } from '@appchain/core'
import { encodeAccount } from './account.js'
import { InvalidProofError } from './errors.js'
import { toHex } from './hex.js'
import { keccak256 as keccak_256 } from './keccak.js'
import { bytesToNibbles, decodeHexPrefix } from './node.js'
import { decodeRlp, type RlpItem } from './rlp.js'

const HEX32 = /^0x[0-9a-fA-F]{64}$/

/**
 * Verifies a Merkle proof of `key` against `root` and returns the proven value, or undefined when the
 * proof proves the key absent. Throws `InvalidProofError` when the proof does not prove either.
 * `key` is the trie key as used (already keccak'd for a secure trie).
 *
 * @example
 * ```ts
 * const proof = await trie.createProof(key)
 * verifyTrieProof(trie.root(), key, proof) // the value at key
 * ```
 */
export function verifyTrieProof(
  root: Hex | Uint8Array,
  key: Uint8Array,
  proof: readonly (Hex | Uint8Array)[],
): Uint8Array | undefined {
  const rootHex = typeof root === 'string' ? root.toLowerCase() : toHex(root)
  const keyHex = toHex(key)
  const fail = (reason: string): never => {
    throw new InvalidProofError(reason, { root: rootHex, key: keyHex })
  }
  const nodes = new Map<string, Uint8Array>()
  for (const p of proof) {
    const enc = typeof p === 'string' ? hexToBytes(p) : p
    nodes.set(toHex(keccak_256(enc)), enc)
  }
  const path = bytesToNibbles(key)
  let pos = 0
  const byHash = (hash: string): RlpItem => {
    const enc = nodes.get(hash)
    if (enc === undefined) return fail(`node ${hash} is missing from the proof`)
    try {
      return decodeRlp(enc)
    } catch {
      return fail(`node ${hash} is not valid RLP`)
    }
  }
  if (rootHex === EMPTY_TRIE_ROOT) return undefined
  let item: RlpItem = byHash(rootHex)
  for (let steps = 0; steps < 200; steps++) {
    if (!Array.isArray(item)) return fail('a node is not a list')
    let next: RlpItem
    if (item.length === 17) {
      if (pos === path.length) {
        const v = item[16]!
        if (!(v instanceof Uint8Array)) return fail('branch value is a list')
        return v.length === 0 ? undefined : v
      }
      next = item[path[pos++]!]!
    } else if (item.length === 2) {
      const [k, v] = item as [RlpItem, RlpItem]
      if (!(k instanceof Uint8Array) || k.length === 0) return fail('node path is malformed')
      let hp: { path: Uint8Array; leaf: boolean }
      try {
        hp = decodeHexPrefix(k)
      } catch {
        return fail('node path is malformed')
      }
      const matches = path.length - pos >= hp.path.length && hp.path.every((n, i) => path[pos + i] === n)
      if (hp.leaf) {
        if (!matches || pos + hp.path.length !== path.length) return undefined
        if (!(v instanceof Uint8Array)) return fail('leaf value is a list')
        return v
      }
      if (!matches) return undefined
      pos += hp.path.length
      next = v
    } else {
      return fail(`a node has ${item.length} items`)
    }
    // A child: empty (absent), a 32-byte hash, or a node embedded in its parent.
    if (next instanceof Uint8Array) {
      if (next.length === 0) return undefined
      if (next.length !== 32) return fail('child reference is neither a hash nor an embedded node')
      item = byHash(toHex(next))
    } else {
      item = next
    }
  }
  return fail('proof is too deep')
}

/**
 * Verifies an `eth_getProof` result against a state root: the account (or its absence) and every
 * storage slot. Throws `InvalidProofError` (with the address, slot and reason) when anything does
 * not match; returns true otherwise.
 *
 * @example
 * ```ts
 * import { verifyProof } from '@appchain/state'
 * const proof = await state.getProof(address, [slot])
 * verifyProof(await state.root(), proof) // true
 * ```
 */
export function verifyProof(stateRoot: Hex, proof: AccountProof): true {
  if (typeof stateRoot !== 'string' || !HEX32.test(stateRoot))
    throw new TypeError(`Invalid state root: ${String(stateRoot)}`)
  if (typeof proof !== 'object' || proof === null || !Array.isArray(proof.accountProof))
    throw new TypeError('Invalid proof object')
  const address = proof.address.toLowerCase()
  const fail = (reason: string, slot?: string): never => {
    throw new InvalidProofError(reason, { root: stateRoot, address, ...(slot === undefined ? {} : { slot }) })
  }
  let value: Uint8Array | undefined
  try {
    value = verifyTrieProof(stateRoot, keccak_256(hexToBytes(address)), proof.accountProof)
  } catch (e) {
    if (e instanceof InvalidProofError) fail(`account proof: ${String(e.data?.reason)}`)
    throw e
  }
  if (!HEX32.test(proof.storageHash) || !HEX32.test(proof.codeHash)) fail('storageHash or codeHash is not 32 bytes')
  if (value === undefined) {
    const empty =
      proof.nonce === 0n &&
      proof.balance === 0n &&
      proof.codeHash.toLowerCase() === KECCAK_EMPTY &&
      proof.storageHash.toLowerCase() === EMPTY_TRIE_ROOT
    if (!empty) fail('the account is absent but the proof claims fields')
  } else {
    let expected: Uint8Array
    try {
      expected = encodeAccount(
        { nonce: proof.nonce, balance: proof.balance, codeHash: proof.codeHash.toLowerCase() as Hex },
        hexToBytes(proof.storageHash),
      )
    } catch {
      return fail('account fields are out of range')
    }
    if (toHex(expected) !== toHex(value)) fail('the account fields differ from the proven account')
  }
  for (const sp of proof.storageProof) {
    const slot = sp.key
    if (typeof slot !== 'string' || !/^0x[0-9a-fA-F]{1,64}$/.test(slot))
      fail('storage key is not hex of up to 32 bytes', String(slot))
    const word = hexToBytes(`0x${slot.slice(2).padStart(64, '0')}`)
    let v: Uint8Array | undefined
    try {
      v = verifyTrieProof(proof.storageHash, keccak_256(word), sp.proof)
    } catch (e) {
      if (e instanceof InvalidProofError) fail(`storage proof: ${String(e.data?.reason)}`, slot)
      throw e
    }
    let proven = 0n
    if (v !== undefined) {
      try {
        const item = decodeRlp(v)
        if (!(item instanceof Uint8Array)) throw new Error('list')
        proven = bytesToBigint(item)
      } catch {
        fail('storage value is not an RLP string', slot)
      }
    }
    if (proven !== sp.value) fail(`storage value ${sp.value} differs from the proven ${proven}`, slot)
  }
  return true
}
