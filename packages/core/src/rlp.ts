import { fromRlp, toRlp } from 'viem'

/** An RLP item: bytes or a (nested) list of items. */
export type RlpInput = Uint8Array | readonly RlpInput[]

/**
 * RLP-encodes bytes or nested lists of bytes, through viem's `toRlp`.
 *
 * @example
 * ```ts
 * rlpEncode([new Uint8Array([1]), []]) // Uint8Array [0xc2, 0x01, 0xc0]
 * ```
 */
export function rlpEncode(input: RlpInput): Uint8Array {
  // viem's types want mutable arrays; the encoder does not mutate.
  return toRlp(input as Parameters<typeof toRlp>[0], 'bytes')
}

/**
 * Decodes RLP bytes into bytes or nested lists, through viem's `fromRlp`. Throws on malformed input.
 *
 * @example
 * ```ts
 * rlpDecode(new Uint8Array([0xc2, 0x01, 0xc0])) // [Uint8Array [1], []]
 * ```
 */
export function rlpDecode(input: Uint8Array): RlpInput {
  return fromRlp(input, 'bytes') as RlpInput
}
