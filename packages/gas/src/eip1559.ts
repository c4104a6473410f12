import {
  type BlockFees,
  type ChargeContext,
  type FeeCharge,
  FeeTooLowError,
  type GasModel,
  GasModelConfigError,
  TipAboveFeeCapError,
  type TxEnvelope,
  UnknownFeeTokenError,
  type UpfrontCharge,
} from '@appchain/core'
import { configFeeRecipient, type FeeRecipient } from './feeRecipient.js'
import { frozenArray } from './frozenArray.js'
import { hideSyncVariants } from './hideSyncVariants.js'
import { nextBaseFee } from './nextBaseFee.js'
import { configBigint } from './validateConfig.js'

export interface Eip1559Config {
  /** Gas limit over gas target (EIP-1559: 2). */
  elasticityMultiplier?: bigint | undefined
  /** Bounds the change per block to 1/denominator (EIP-1559: 8). */
  baseFeeChangeDenominator?: bigint | undefined
  /** The base fee never falls below this (OP Stack chains use a floor too). Default 0. */
  minBaseFee?: bigint | undefined
  /** Base fee of the genesis block (EIP-1559: 1 gwei). */
  initialBaseFee?: bigint | undefined
  /** A fixed gas target instead of `parent.gasLimit / elasticityMultiplier`. */
  targetGasPerBlock?: bigint | undefined
  /** Where the base-fee part goes: burnt (Ethereum), or to a vault (OP Stack's BaseFeeVault). Default 'burn'. */
  feeRecipient?: 'burn' | `0x${string}` | undefined
  /** What `eth_maxPriorityFeePerGas` suggests. Default 0.001 gwei (op-geth's minimum suggestion). */
  suggestedPriorityFee?: bigint | undefined
}

/** The EIP-1559 defaults (Ethereum mainnet's parameters). */
export const EIP1559_DEFAULTS = {
  elasticityMultiplier: 2n,
  baseFeeChangeDenominator: 8n,
  minBaseFee: 0n,
  initialBaseFee: 1_000_000_000n,
  suggestedPriorityFee: 1_000_000n,
} as const

/** The price per gas a transaction pays under EIP-1559: base fee plus its tip, capped by its fee cap. */
export function effectiveGasPrice(tx: TxEnvelope, baseFeePerGas: bigint): bigint {
  const withTip = baseFeePerGas + tx.fee.maxPriorityFeePerGas
  return tx.fee.maxFeePerGas < withTip ? tx.fee.maxFeePerGas : withTip
}

/**
 * Ethereum's fee market: a base fee that follows demand (up to 1/8 per block around a target of half the gas
 * limit) and is burnt, plus a tip to the sequencer. Fits DeFi chains, where users expect Ethereum's
 * semantics and wallets' fee estimation works unchanged.
 *
 * @example
 * ```ts
 * import { eip1559 } from '@appchain/gas'
 * const gas = eip1559({ targetGasPerBlock: 15_000_000n, minBaseFee: 1_000_000n })
 * gas.nextBlockFees({ number: 1n, gasLimit: 30_000_000n, gasUsed: 30_000_000n, baseFeePerGas: 1_000_000_000n })
 * // { baseFeePerGas: 1_125_000_000n }
 * ```
 */
export function eip1559(config: Eip1559Config = {}): GasModel {
  const name = 'eip1559'
  const elasticityMultiplier = configBigint(
    name,
    'elasticityMultiplier',
    config.elasticityMultiplier ?? EIP1559_DEFAULTS.elasticityMultiplier,
    { min: 1n },
  )
  const baseFeeChangeDenominator = configBigint(
    name,
    'baseFeeChangeDenominator',
    config.baseFeeChangeDenominator ?? EIP1559_DEFAULTS.baseFeeChangeDenominator,
    { min: 1n },
  )
  const minBaseFee = configBigint(name, 'minBaseFee', config.minBaseFee ?? EIP1559_DEFAULTS.minBaseFee)
  const initialBaseFee = configBigint(name, 'initialBaseFee', config.initialBaseFee ?? EIP1559_DEFAULTS.initialBaseFee)
  if (initialBaseFee < minBaseFee) {
    throw new GasModelConfigError({
      model: name,
      field: 'initialBaseFee',
      reason: `must be at least minBaseFee ${minBaseFee} (got ${initialBaseFee})`,
    })
  }
  const targetGasPerBlock =
    config.targetGasPerBlock === undefined
      ? undefined
      : configBigint(name, 'targetGasPerBlock', config.targetGasPerBlock, { min: 1n })
  const suggestedPriorityFee = configBigint(
    name,
    'suggestedPriorityFee',
    config.suggestedPriorityFee ?? EIP1559_DEFAULTS.suggestedPriorityFee,
  )
  const feeRecipient: FeeRecipient = configFeeRecipient(name, 'feeRecipient', config.feeRecipient ?? 'burn')
  if (feeRecipient === 'coinbase') {
    // Paying the base fee to the sequencer removes the reason it exists (an unmanipulable price signal).
    throw new GasModelConfigError({ model: name, field: 'feeRecipient', reason: "must be 'burn' or an address" })
  }
  const params = { elasticityMultiplier, baseFeeChangeDenominator, minBaseFee, targetGasPerBlock }

  const check = (tx: TxEnvelope, fees: BlockFees) => {
    if (tx.fee.feeToken !== undefined) throw new UnknownFeeTokenError({ token: tx.fee.feeToken, accepted: ['native'] })
    if (tx.fee.maxPriorityFeePerGas > tx.fee.maxFeePerGas) {
      throw new TipAboveFeeCapError({
        maxPriorityFeePerGas: tx.fee.maxPriorityFeePerGas,
        maxFeePerGas: tx.fee.maxFeePerGas,
      })
    }
    if (tx.fee.maxFeePerGas < fees.baseFeePerGas) {
      throw new FeeTooLowError({ offered: tx.fee.maxFeePerGas, required: fees.baseFeePerGas, model: name })
    }
  }

  // The last transaction's numbers, reused while the next one's inputs match: most transactions of a block bid
  // the same way and many use the same gas, and each bigint product or sum allocates. Only values are reused
  // (bigints, and a frozen credits array no caller can change); every answer is a new object for its payer.
  let lastBase = -1n
  let lastTip = -1n
  let lastWithTip = 0n
  /** `effectiveGasPrice(tx, base)` without a new bigint while the base fee and the tip stay the same. */
  const priceOf = (tx: TxEnvelope, base: bigint): bigint => {
    const fee = tx.fee
    if (base !== lastBase || fee.maxPriorityFeePerGas !== lastTip) {
      lastBase = base
      lastTip = fee.maxPriorityFeePerGas
      lastWithTip = base + lastTip
    }
    return fee.maxFeePerGas < lastWithTip ? fee.maxFeePerGas : lastWithTip
  }
  let lastGasLimit = -1n
  let lastUpPrice = -1n
  let lastUpAmount = 0n
  const upfrontSync = (tx: TxEnvelope, ctx: ChargeContext): UpfrontCharge => {
    // The base fee may have risen since admission: refuse here, before anything is debited.
    check(tx, ctx.fees)
    const price = priceOf(tx, ctx.fees.baseFeePerGas)
    if (tx.gasLimit !== lastGasLimit || price !== lastUpPrice) {
      lastGasLimit = tx.gasLimit
      lastUpPrice = price
      lastUpAmount = tx.gasLimit * price
    }
    return { payer: tx.sender, amount: lastUpAmount }
  }
  // The last charge's split, by what it was computed from (gas used, price, base fee, coinbase).
  let split:
    | {
        gasUsed: bigint
        price: bigint
        base: bigint
        coinbase: string
        amount: bigint
        burnt: bigint
        credits: FeeCharge['credits']
      }
    | undefined
  const chargeSync = (tx: TxEnvelope, gasUsed: bigint, ctx: ChargeContext): FeeCharge => {
    const base = ctx.fees.baseFeePerGas
    const price = priceOf(tx, base)
    const coinbase = ctx.coinbase
    let s = split
    if (s === undefined || s.gasUsed !== gasUsed || s.price !== price || s.base !== base || s.coinbase !== coinbase) {
      s = splitOf(gasUsed, price, base, coinbase)
      split = s
    }
    // A literal, not a spread: this runs once per transaction.
    return { payer: tx.sender, amount: s.amount, burnt: s.burnt, credits: s.credits, effectiveGasPrice: price }
  }
  const splitOf = (gasUsed: bigint, price: bigint, base: bigint, coinbase: `0x${string}`) => {
    // upfront refused price < base; the min keeps charge total even if a VM skipped it.
    const basePart = price < base ? price : base
    const baseFee = gasUsed * basePart
    const tip = gasUsed * (price - basePart)
    // The split written out (what addToSplit would build for the base fee, then the tip), without a scratch
    // object, in arrays of their final length (a push onto [] reserves 17 slots). Zero amounts add nothing.
    const amount = gasUsed * price
    let burnt = 0n
    let credits: { to: `0x${string}`; amount: bigint }[]
    if (feeRecipient === 'burn') {
      burnt = baseFee
      credits = tip === 0n ? [] : [{ to: coinbase, amount: tip }]
    } else if (baseFee === 0n) credits = tip === 0n ? [] : [{ to: coinbase, amount: tip }]
    else if (tip === 0n) credits = [{ to: feeRecipient, amount: baseFee }]
    else if (feeRecipient === coinbase) credits = [{ to: coinbase, amount: baseFee + tip }]
    else
      credits = [
        { to: feeRecipient, amount: baseFee },
        { to: coinbase, amount: tip },
      ]
    for (const c of credits) Object.freeze(c)
    return { gasUsed, price, base, coinbase, amount, burnt, credits: frozenArray(credits) }
  }

  // Stateless: another thread (a parallel VM's worker) rebuilds the same model from the validated values.
  const portableConfig: Eip1559Config = {
    elasticityMultiplier,
    baseFeeChangeDenominator,
    minBaseFee,
    initialBaseFee,
    suggestedPriorityFee,
    feeRecipient,
  }
  if (targetGasPerBlock !== undefined) portableConfig.targetGasPerBlock = targetGasPerBlock

  return hideSyncVariants({
    name,
    portable: { module: import.meta.url, factory: 'eip1559', config: portableConfig },
    genesisFees: () => ({ baseFeePerGas: initialBaseFee }),
    nextBlockFees: (parent) => ({ baseFeePerGas: nextBaseFee(parent, params) }),
    async admit(tx, ctx) {
      check(tx, ctx.fees)
    },
    admitSync(tx, ctx) {
      check(tx, ctx.fees)
      return true
    },
    // Everything eip1559 needs is in memory: the VM calls the sync variants, and the async ones wrap them.
    upfrontSync,
    chargeSync,
    async upfront(tx, ctx) {
      return upfrontSync(tx, ctx)
    },
    async charge(tx, gasUsed, ctx) {
      return chargeSync(tx, gasUsed, ctx)
    },
    priority(tx, fees) {
      const tip = effectiveGasPrice(tx, fees.baseFeePerGas) - fees.baseFeePerGas
      return tip > 0n ? tip : 0n
    },
    quote(fees) {
      return { gasPrice: fees.baseFeePerGas + suggestedPriorityFee, maxPriorityFeePerGas: suggestedPriorityFee }
    },
  })
}
