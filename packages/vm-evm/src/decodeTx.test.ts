import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  BaseError,
  ChainIdMismatchError,
  hexToBytes,
  InitCodeTooLargeError,
  IntrinsicGasTooLowError,
  InvalidSignatureError,
  InvalidTransactionEncodingError,
  TipAboveFeeCapError,
  UnsupportedTransactionTypeError,
} from '@appchain/core'
import { describe, expect, it } from 'vitest'
import { decodeSignedTx } from './decodeSignedTx.js'
import { decodeTx } from './decodeTx.js'
import { TransactionFieldOverflowError, UnprotectedTransactionError } from './errors.js'
import type { Hardfork } from './hardfork.js'
import { calldataFloorGas, intrinsicGas } from './intrinsicGas.js'

const DIR = new URL('../../../../shared/fixtures/tx-tests/', import.meta.url).pathname

type TxTest = {
  txbytes: string
  result: Record<string, { hash?: string; sender?: string; intrinsicGas: string; exception?: string }>
}

function loadTxTests(): { name: string; test: TxTest }[] {
  const out: { name: string; test: TxTest }[] = []
  for (const folder of readdirSync(DIR)) {
    for (const file of readdirSync(join(DIR, folder))) {
      const json = JSON.parse(readFileSync(join(DIR, folder, file), 'utf8')) as Record<string, TxTest>
      for (const [name, test] of Object.entries(json)) out.push({ name: `${folder}/${name}`, test })
    }
  }
  return out
}

// The error classes each fixture exception may map to (any BaseError would pass the "refused" check;
// these pin the specific class).
function expectedClasses(exception: string): (abstract new (...args: never[]) => BaseError)[] {
  const e = exception.replace('TransactionException.', '')
  if (e.startsWith('RLP_') || e.startsWith('ADDRESS_TOO'))
    return [InvalidTransactionEncodingError, TransactionFieldOverflowError]
  if (e === 'INVALID_SIGNATURE_VRS' || e === 'EC_RECOVERY_FAIL') return [InvalidSignatureError]
  if (e === 'INVALID_CHAINID') return [ChainIdMismatchError, InvalidSignatureError]
  if (e === 'INTRINSIC_GAS_TOO_LOW') return [IntrinsicGasTooLowError]
  if (e === 'TYPE_NOT_SUPPORTED') return [UnsupportedTransactionTypeError, InvalidTransactionEncodingError]
  if (e === 'INITCODE_SIZE_EXCEEDED') return [InitCodeTooLargeError]
  if (e.startsWith('PRIORITY_GREATER')) return [TipAboveFeeCapError]
  if (e.endsWith('OVERFLOW') || e === 'NONCE_TOO_BIG')
    return [TransactionFieldOverflowError, InvalidTransactionEncodingError]
  return [BaseError]
}

const FORKS: Record<string, Hardfork> = { Shanghai: 'shanghai', Cancun: 'cancun' }

describe('ethereum/tests TransactionTests', () => {
  const tests = loadTxTests()
  it('loads the fixtures', () => expect(tests.length).toBeGreaterThan(200))
  for (const [forkName, hardfork] of Object.entries(FORKS)) {
    it(`every tx-test passes for ${forkName}`, () => {
      const failures: string[] = []
      let checked = 0
      for (const { name, test } of tests) {
        const expected = test.result[forkName]
        if (!expected) continue
        checked++
        let raw: Uint8Array
        try {
          raw = hexToBytes(test.txbytes)
        } catch {
          // A handful of fixtures carry txbytes that are not even hex: the refusal happens before us.
          if (!expected.exception) failures.push(`${name}: undecodable hex but valid`)
          continue
        }
        try {
          const tx = decodeSignedTx(raw, { chainId: 1n, hardfork, allowUnprotected: true })
          if (expected.exception) failures.push(`${name}: accepted, expected ${expected.exception}`)
          else {
            if (tx.hash !== expected.hash) failures.push(`${name}: hash ${tx.hash} != ${expected.hash}`)
            if (tx.sender !== expected.sender) failures.push(`${name}: sender ${tx.sender} != ${expected.sender}`)
            const ig = intrinsicGas({ to: tx.to, data: tx.data, accessList: tx.accessList })
            if (ig !== BigInt(expected.intrinsicGas))
              failures.push(`${name}: intrinsic gas ${ig} != ${BigInt(expected.intrinsicGas)}`)
          }
        } catch (e) {
          if (!expected.exception)
            failures.push(`${name}: refused (${(e as Error).message.split('\n')[0]}), expected valid`)
          else if (!expectedClasses(expected.exception).some((c) => e instanceof c))
            failures.push(`${name}: ${(e as Error).name} for ${expected.exception}`)
        }
      }
      expect(checked).toBeGreaterThan(140)
      expect(failures).toEqual([])
    })
  }
})

describe('decodeTx', () => {
  const opts = { chainId: 1n, hardfork: 'cancun' as const, allowUnprotected: false }
  it('refuses blob transactions with UnsupportedTransactionTypeError', () => {
    expect(() => decodeTx(new Uint8Array([3, 0xc0]), opts)).toThrow(UnsupportedTransactionTypeError)
  })
  it('refuses unprotected legacy transactions unless allowed', () => {
    // ttSignature/RightVRSTest is a pre-EIP-155 transaction
    const json = JSON.parse(readFileSync(join(DIR, 'ttSignature/RightVRSTest.json'), 'utf8'))
    const raw = hexToBytes(Object.values(json as Record<string, TxTest>)[0]!.txbytes)
    expect(() => decodeTx(raw, opts)).toThrow(UnprotectedTransactionError)
    expect(decodeTx(raw, { ...opts, allowUnprotected: true }).chainId).toBeUndefined()
  })
  it('computes the EIP-7623 calldata floor only from Prague', () => {
    expect(calldataFloorGas(new Uint8Array([1, 0]), 'cancun')).toBe(0n)
    expect(calldataFloorGas(new Uint8Array([1, 0]), 'prague')).toBe(21_000n + 50n)
  })
})
