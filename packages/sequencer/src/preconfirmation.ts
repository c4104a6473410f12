import {
  type Address,
  bytesToHex,
  concatBytes,
  type Hex,
  hexToBytes,
  keccak256,
  loadNativeSecp256k1,
} from '@appchain/core'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { recoverTypedDataAddress } from 'viem'
import { InvalidPreconfirmationError } from './errors.js'

/** A sequencer's signed promise that a transaction is at `index` of block `blockNumber`. */
export interface Preconfirmation {
  txHash: Hex
  blockNumber: bigint
  /** Position in the block, deposits counted first (the receipt's `transactionIndex`). */
  index: number
  sequencer: Address
  /** 65 bytes r ‖ s ‖ v (v = 27 + recovery) over the EIP-712 digest of the fields above. */
  signature: Hex
}

/**
 * The EIP-712 types a preconfirmation is signed under (so viem's `verifyTypedData` checks it too).
 *
 * @example
 * ```ts
 * hashTypedData({ domain: preconfirmationDomain(4242n), types: preconfirmationTypes, primaryType: 'Preconfirmation', message })
 * ```
 */
export const preconfirmationTypes = {
  Preconfirmation: [
    { name: 'txHash', type: 'bytes32' },
    { name: 'blockNumber', type: 'uint64' },
    { name: 'index', type: 'uint32' },
    { name: 'sequencer', type: 'address' },
  ],
} as const

/**
 * The EIP-712 domain of preconfirmations: `{ name: 'appchain', version: '1', chainId }` (chain id omitted when not
 * given).
 *
 * @example
 * ```ts
 * await verifyTypedData({ address, domain: preconfirmationDomain(4242n), types: preconfirmationTypes, primaryType: 'Preconfirmation', message, signature })
 * ```
 */
export function preconfirmationDomain(chainId?: bigint) {
  return chainId === undefined ? { name: 'appchain', version: '1' } : { name: 'appchain', version: '1', chainId }
}

const utf8 = (s: string) => new TextEncoder().encode(s)
const word = (v: bigint) => {
  const out = new Uint8Array(32)
  let x = v
  for (let i = 31; i >= 0 && x > 0n; i--) {
    out[i] = Number(x & 0xffn)
    x >>= 8n
  }
  return out
}
const addressWord = (a: Address) => concatBytes(new Uint8Array(12), hexToBytes(a))

const TYPE_HASH = keccak256(utf8('Preconfirmation(bytes32 txHash,uint64 blockNumber,uint32 index,address sequencer)'))

function domainSeparator(chainId: bigint | undefined): Uint8Array {
  const withChain = chainId !== undefined
  const typeHash = keccak256(utf8(`EIP712Domain(string name,string version${withChain ? ',uint256 chainId' : ''})`))
  return keccak256(
    concatBytes(typeHash, keccak256(utf8('appchain')), keccak256(utf8('1')), ...(withChain ? [word(chainId)] : [])),
  )
}

/**
 * The EIP-712 digest of a preconfirmation's fields, computed by hand (no ABI encoder on the hot path).
 *
 * @example
 * ```ts
 * preconfirmationDigest({ txHash, blockNumber: 7n, index: 0, sequencer }, 4242n) // Uint8Array(32)
 * ```
 */
export function preconfirmationDigest(p: Omit<Preconfirmation, 'signature'>, chainId?: bigint): Uint8Array {
  return digestWith(domainSeparator(chainId), p)
}

function digestWith(domain: Uint8Array, p: Omit<Preconfirmation, 'signature'>): Uint8Array {
  const struct = keccak256(
    concatBytes(TYPE_HASH, hexToBytes(p.txHash), word(p.blockNumber), word(BigInt(p.index)), addressWord(p.sequencer)),
  )
  return keccak256(concatBytes(new Uint8Array([0x19, 0x01]), domain, struct))
}

const loadNative = loadNativeSecp256k1

export interface PreconfSigner {
  readonly address: Address
  /** `'native'` (libsecp256k1, ~20k signatures/s per core) or `'noble'` (pure JS, ~1.7k/s). */
  readonly backend: 'native' | 'noble'
  /** The preconfirmation; its `signature` is computed when first read (then kept). */
  sign(p: { txHash: Hex; blockNumber: bigint; index: number }): Preconfirmation
}

/**
 * Signs preconfirmations with a secp256k1 key over their EIP-712 digest, natively when the `secp256k1` binding
 * loads, with `@noble/curves` otherwise.
 *
 * @example
 * ```ts
 * const signer = preconfSigner('0xac09...ff80', { chainId: 4242n })
 * const p = signer.sign({ txHash, blockNumber: 7n, index: 0 })
 * await verifyPreconfirmation(p, { chainId: 4242n }) // true
 * ```
 */
export function preconfSigner(
  privateKey: Hex,
  opts: { chainId?: bigint | undefined; backend?: 'native' | 'noble' | undefined } = {},
): PreconfSigner {
  if (!/^0x[0-9a-fA-F]{64}$/.test(privateKey)) throw new TypeError('preconfSigner: privateKey must be 32-byte hex')
  const key = hexToBytes(privateKey)
  if (!secp256k1.utils.isValidSecretKey(key))
    throw new RangeError('preconfSigner: privateKey is not a valid secp256k1 key')
  const pub = secp256k1.getPublicKey(key, false)
  const address = bytesToHex(keccak256(pub.subarray(1)).subarray(12)) as Address
  const domain = domainSeparator(opts.chainId)
  const lib = opts.backend === 'noble' ? null : loadNative()
  if (opts.backend === 'native' && !lib)
    throw new RangeError('preconfSigner: the native secp256k1 binding does not load here')

  const sign64 = lib
    ? (digest: Uint8Array) => {
        const { signature, recid } = lib.ecdsaSign(digest, key)
        return concatBytes(signature, new Uint8Array([27 + recid]))
      }
    : (digest: Uint8Array) => {
        // noble's 'recovered' format puts the recovery byte first.
        const sig = secp256k1.sign(digest, key, { prehash: false, format: 'recovered' })
        return concatBytes(sig.subarray(1), new Uint8Array([27 + sig[0]!]))
      }

  return {
    address,
    backend: lib ? 'native' : 'noble',
    sign({ txHash, blockNumber, index }) {
      const fields = { txHash, blockNumber, index, sequencer: address }
      // Signed on first read: every preconfirmation anyone receives (subscription, lookup, JSON) carries its
      // signature, and one that nobody ever reads costs no digest and no ECDSA signature.
      let signature: Hex | undefined
      return {
        ...fields,
        get signature(): Hex {
          signature ??= bytesToHex(sign64(digestWith(domain, fields)))
          return signature
        },
      }
    },
  }
}

/**
 * Checks that a preconfirmation was signed by the sequencer it names (and, with `sequencer`, that this is the
 * expected one). Returns true, or throws `InvalidPreconfirmationError` with the recovered address.
 *
 * @example
 * ```ts
 * await verifyPreconfirmation(p, { chainId: 4242n, sequencer: '0xf39f...2266' })
 * ```
 */
export async function verifyPreconfirmation(
  p: Preconfirmation,
  opts: { chainId?: bigint | undefined; sequencer?: Address | undefined } = {},
): Promise<true> {
  let recovered: Address | undefined
  try {
    recovered = (
      await recoverTypedDataAddress({
        domain: preconfirmationDomain(opts.chainId),
        types: preconfirmationTypes,
        primaryType: 'Preconfirmation',
        message: { txHash: p.txHash, blockNumber: p.blockNumber, index: p.index, sequencer: p.sequencer },
        signature: p.signature,
      })
    ).toLowerCase() as Address
  } catch {
    recovered = undefined
  }
  const expected = (opts.sequencer ?? p.sequencer).toLowerCase()
  if (recovered !== expected || p.sequencer.toLowerCase() !== expected)
    throw new InvalidPreconfirmationError({ txHash: p.txHash, sequencer: expected, recovered })
  return true
}
