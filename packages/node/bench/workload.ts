import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Address, type Hex, keccak256 } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { CHAIN_ID } from './targets.js'

export interface SignedTx {
  raw: Hex
  hash: Hex
  sender: Address
}

/** Deterministic sender keys (not the dev mnemonic, so nothing else touches their nonces). */
export function senderKeys(count: number, salt: number): Hex[] {
  return Array.from(
    { length: count },
    (_, i) => `0x${(BigInt(salt) * 1_000_000n + BigInt(i) + 1n).toString(16).padStart(64, '0')}` as Hex,
  )
}

/**
 * `perSender` EIP-1559 ETH transfers from each key, nonce 0.., signed once and replayed against every target.
 * Returned per sender, in nonce order.
 */
export async function signTransfers(keys: Hex[], perSender: number): Promise<SignedTx[][]> {
  // Signing is deterministic (RFC 6979) and slow in pure JS: keep the result between runs.
  const cache = join(tmpdir(), `appchain-bench-${keys.length}-${perSender}-${keys[0]}.json`)
  if (existsSync(cache)) return JSON.parse(readFileSync(cache, 'utf8')) as SignedTx[][]
  const signed = await sign(keys, perSender)
  writeFileSync(cache, JSON.stringify(signed))
  return signed
}

async function sign(keys: Hex[], perSender: number): Promise<SignedTx[][]> {
  const to = '0x000000000000000000000000000000000000b0b0'
  return Promise.all(
    keys.map(async (key) => {
      const account = privateKeyToAccount(key)
      const out: SignedTx[] = []
      for (let nonce = 0; nonce < perSender; nonce++) {
        const raw = await account.signTransaction({
          chainId: CHAIN_ID,
          type: 'eip1559',
          to,
          value: 1n,
          nonce,
          gas: 21_000n,
          maxFeePerGas: 100_000_000_000n,
          maxPriorityFeePerGas: 1_000_000_000n,
        })
        out.push({ raw, hash: keccak256(raw), sender: account.address })
      }
      return out
    }),
  )
}
