import {
  type Address,
  type ChargeContext,
  type FeeCharge,
  FeeTooLowError,
  type GasModel,
  type TxEnvelope,
  UnknownFeeTokenError,
  type UpfrontCharge,
} from '@appchain/core'
import { addToSplit, configFeeRecipient, type FeeRecipient } from './feeRecipient.js'
import { hideSyncVariants } from './hideSyncVariants.js'
import { configAddress, configBigint } from './validateConfig.js'

export interface FlatFeeConfig {
  /** The fixed price of every transaction. */
  perTx: bigint
  /** Added per encoded byte, so large payloads pay for their DA and bandwidth. Default 0. */
  perByte?: bigint | undefined
  /** A fee token (an ERC-20 or the VM's asset id as an address); the native coin when undefined. */
  token?: Address | undefined
  /** Where the fee goes. Default 'coinbase' (the sequencer). */
  feeRecipient?: FeeRecipient | undefined
}

/** The size a quote assumes: a signed EIP-1559 transfer is 110-115 bytes. */
const QUOTE_TX_SIZE = 120n
/** The gas a quote assumes: the cheapest transaction there is (a transfer). */
const QUOTE_TX_GAS = 21_000n

/**
 * A fixed price per transaction (plus an optional price per byte), whatever it executes: users know the
 * cost in advance. Fits games and apps whose transactions cost about the same; `token` lets the app charge in
 * its own token.
 *
 * The sender's consent is its bid: `maxFeePerGas × gasLimit` must cover the fee, as it caps what any
 * Ethereum transaction may pay. Receipts report `effectiveGasPrice = fee / gasUsed` (rounded down; the fee
 * itself is exact).
 *
 * @example
 * ```ts
 * import { flatFee } from '@appchain/gas'
 * const gas = flatFee({ perTx: 10_000_000_000_000n, perByte: 1_000_000_000n }) // 0.00001 ETH + 1 gwei per byte
 * ```
 */
export function flatFee(config: FlatFeeConfig): GasModel {
  const name = 'flatFee'
  if (config === null || typeof config !== 'object') throw new TypeError('flatFee: config must be an object')
  const perTx = configBigint(name, 'perTx', config.perTx)
  const perByte = configBigint(name, 'perByte', config.perByte ?? 0n)
  const token = config.token === undefined ? undefined : configAddress(name, 'token', config.token)
  const feeRecipient = configFeeRecipient(name, 'feeRecipient', config.feeRecipient ?? 'coinbase')
  const accepted = [token ?? 'native']

  const feeOf = (tx: TxEnvelope) => perTx + perByte * BigInt(tx.size)
  const check = (tx: TxEnvelope) => {
    const bidToken = tx.fee.feeToken?.toLowerCase()
    if (bidToken !== undefined && bidToken !== token) throw new UnknownFeeTokenError({ token: bidToken, accepted })
    const fee = feeOf(tx)
    const offered = tx.fee.maxFeePerGas * tx.gasLimit
    if (offered < fee) throw new FeeTooLowError({ offered, required: fee, model: name })
    return fee
  }
  const upfrontSync = (tx: TxEnvelope): UpfrontCharge => ({ payer: tx.sender, amount: check(tx), token })
  const chargeSync = (tx: TxEnvelope, gasUsed: bigint, ctx: ChargeContext): FeeCharge => {
    const amount = feeOf(tx)
    const split = { burnt: 0n, credits: [] as { to: Address; amount: bigint }[] }
    addToSplit(split, feeRecipient, amount, ctx.coinbase)
    return {
      payer: tx.sender,
      amount,
      burnt: split.burnt,
      credits: split.credits,
      token,
      effectiveGasPrice: gasUsed === 0n ? 0n : amount / gasUsed,
    }
  }
  const quotePrice = (perTx + perByte * QUOTE_TX_SIZE + QUOTE_TX_GAS - 1n) / QUOTE_TX_GAS

  // Stateless: another thread (a parallel VM's worker) rebuilds the same model from the validated values.
  const portableConfig: FlatFeeConfig = { perTx, perByte, feeRecipient }
  if (token !== undefined) portableConfig.token = token

  return hideSyncVariants({
    name,
    portable: { module: import.meta.url, factory: 'flatFee', config: portableConfig },
    // No per-gas market: the header's base fee is zero, so wallets' `maxFeePerGas` is the quoted tip.
    genesisFees: () => ({ baseFeePerGas: 0n }),
    nextBlockFees: () => ({ baseFeePerGas: 0n }),
    async admit(tx) {
      check(tx)
    },
    admitSync(tx) {
      check(tx)
      return true
    },
    upfrontSync,
    chargeSync,
    async upfront(tx) {
      return upfrontSync(tx)
    },
    async charge(tx, gasUsed, ctx) {
      return chargeSync(tx, gasUsed, ctx)
    },
    // Everyone pays the same price: ordering policies see no tips to sort by.
    priority: () => 0n,
    quote: () => ({ gasPrice: quotePrice, maxPriorityFeePerGas: quotePrice }),
  })
}
