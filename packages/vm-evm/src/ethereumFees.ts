import { type GasModel, TipAboveFeeCapError, type TxEnvelope, UnknownFeeTokenError } from '@appchain/core'
import { checkFeeCap } from './decodeTx.js'

function price(tx: TxEnvelope, baseFee: bigint): bigint {
  const withTip = baseFee + tx.fee.maxPriorityFeePerGas
  return tx.fee.maxFeePerGas < withTip ? tx.fee.maxFeePerGas : withTip
}

/**
 * Ethereum's own fee rules as a `GasModel`, for the state tests and the benchmark: a fixed base fee
 * (given per block), the priority fee to the coinbase, the base fee burnt. Chains use `@appchain/gas`.
 *
 * @example
 * ```ts
 * const gas = ethereumFees({ baseFeePerGas: 7n })
 * ```
 */
export function ethereumFees(config: { baseFeePerGas?: bigint } = {}): GasModel {
  const baseFeePerGas = config.baseFeePerGas ?? 7n
  if (baseFeePerGas < 0n) throw new RangeError(`baseFeePerGas must not be negative: ${baseFeePerGas}`)
  const check = (tx: TxEnvelope, base: bigint) => {
    if (tx.fee.feeToken !== undefined) throw new UnknownFeeTokenError({ token: tx.fee.feeToken, accepted: ['native'] })
    if (tx.fee.maxPriorityFeePerGas > tx.fee.maxFeePerGas)
      throw new TipAboveFeeCapError({
        maxPriorityFeePerGas: tx.fee.maxPriorityFeePerGas,
        maxFeePerGas: tx.fee.maxFeePerGas,
      })
    checkFeeCap(tx, base)
  }
  return {
    name: 'ethereum',
    genesisFees: () => ({ baseFeePerGas }),
    nextBlockFees: () => ({ baseFeePerGas }),
    async admit(tx, ctx) {
      check(tx, ctx.fees.baseFeePerGas)
    },
    async upfront(tx, ctx) {
      check(tx, ctx.fees.baseFeePerGas)
      return { payer: tx.sender, amount: tx.gasLimit * price(tx, ctx.fees.baseFeePerGas) }
    },
    async charge(tx, gasUsed, ctx) {
      const base = ctx.fees.baseFeePerGas
      const p = price(tx, base)
      const tip = gasUsed * (p - base)
      return {
        payer: tx.sender,
        amount: gasUsed * p,
        burnt: gasUsed * base,
        credits: [{ to: ctx.coinbase, amount: tip }],
        effectiveGasPrice: p,
      }
    },
    priority(tx, fees) {
      const tip = price(tx, fees.baseFeePerGas) - fees.baseFeePerGas
      return tip > 0n ? tip : 0n
    },
    quote(fees) {
      return { gasPrice: fees.baseFeePerGas + 1_000_000n, maxPriorityFeePerGas: 1_000_000n }
    },
  }
}
