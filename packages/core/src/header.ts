import { bigintToBytes, bytesToHex, hexToBytes } from './bytes.js'
import { keccak256Hex } from './hash.js'
import { rlpEncode } from './rlp.js'
import type { BlockHeader, Hex } from './types.js'

/** keccak256(rlp([])): the ommers hash of every post-merge header. */
const EMPTY_OMMERS = hexToBytes('0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347')
const ZERO_NONCE = new Uint8Array(8)

/**
 * The extra data that commits a header to its L1 origin: rlp([number, hash]), or the header's own extra data.
 */
function extraDataOf(header: BlockHeader): Uint8Array {
  if (!header.l1Origin) return hexToBytes(header.extraData)
  return rlpEncode([bigintToBytes(header.l1Origin.number), hexToBytes(header.l1Origin.hash)])
}

/**
 * RLP of a header in Ethereum's Shanghai layout, so its hash is what viem, ethers and explorers expect.
 * The L1 origin, when set, is committed through `extraData`.
 *
 * @example
 * ```ts
 * const rlp = encodeHeader(header)
 * ```
 */
export function encodeHeader(header: BlockHeader): Uint8Array {
  return rlpEncode([
    hexToBytes(header.parentHash),
    EMPTY_OMMERS,
    hexToBytes(header.coinbase),
    hexToBytes(header.stateRoot),
    hexToBytes(header.transactionsRoot),
    hexToBytes(header.receiptsRoot),
    hexToBytes(header.logsBloom),
    new Uint8Array(), // difficulty 0 after the merge
    bigintToBytes(header.number),
    bigintToBytes(header.gasLimit),
    bigintToBytes(header.gasUsed),
    bigintToBytes(header.timestamp),
    extraDataOf(header),
    hexToBytes(header.prevRandao),
    ZERO_NONCE,
    bigintToBytes(header.baseFeePerGas),
    hexToBytes(header.withdrawalsRoot),
  ])
}

/**
 * The block hash: keccak256 of the encoded header.
 *
 * @example
 * ```ts
 * const hash = hashHeader(header) // '0x...'
 * ```
 */
export function hashHeader(header: BlockHeader): Hex {
  return keccak256Hex(encodeHeader(header))
}

/** The header's extra data as served over JSON-RPC (the L1 origin commitment when present). */
export function headerExtraData(header: BlockHeader): Hex {
  return bytesToHex(extraDataOf(header))
}
