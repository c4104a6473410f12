import type { Address, BaseError, ChargeContext, FeeCharge, GasModel, GasStore, TxEnvelope } from '@appchain/core'
import { memoryGasStore } from '@appchain/core/testing'
import { COINBASE } from './txs.js'

/**
 * What a VM does with a gas model, without the VM: for each transaction `upfront` (refusal excludes it,
 * nothing debited), debit the hold, "execute" (gasUsed given), `charge`, refund the rest, pay the credits,
 * then `observeBlock`. Lets the unit tests check balances exactly as the node tests do through a real chain.
 */
export function ledger(model: GasModel, balances: Record<Address, bigint>, store: GasStore = memoryGasStore()) {
  const bal = new Map<Address, bigint>(Object.entries(balances) as [Address, bigint][])
  const get = (a: Address) => bal.get(a) ?? 0n
  const add = (a: Address, d: bigint) => bal.set(a, get(a) + d)
  let fees = model.genesisFees()
  return {
    store,
    balance: get,
    get fees() {
      return fees
    },
    async block(
      blockNumber: bigint,
      txs: { tx: TxEnvelope; gasUsed: bigint }[],
      opts: { coinbase?: Address } = {},
    ): Promise<{ charges: FeeCharge[]; excluded: { tx: TxEnvelope; error: BaseError }[]; gasUsed: bigint }> {
      const ctx: ChargeContext = {
        blockNumber,
        coinbase: opts.coinbase ?? COINBASE,
        fees,
        balanceOf: async (a) => get(a.toLowerCase() as Address),
        store,
      }
      const charges: FeeCharge[] = []
      const excluded: { tx: TxEnvelope; error: BaseError }[] = []
      const included: TxEnvelope[] = []
      let gasUsed = 0n
      for (const { tx, gasUsed: used } of txs) {
        let up: Awaited<ReturnType<GasModel['upfront']>>
        try {
          up = await model.upfront(tx, ctx)
        } catch (error) {
          excluded.push({ tx, error: error as BaseError })
          continue
        }
        if (get(up.payer) < up.amount) throw new Error(`ledger: ${up.payer} cannot hold ${up.amount}`)
        add(up.payer, -up.amount)
        const c = await model.charge(tx, used, ctx)
        add(c.payer, up.amount - c.amount)
        for (const credit of c.credits) add(credit.to, credit.amount)
        charges.push(c)
        included.push(tx)
        gasUsed += used
      }
      await model.observeBlock?.({ blockNumber, txs: included, store })
      fees = model.nextBlockFees({
        number: blockNumber,
        gasLimit: 30_000_000n,
        gasUsed,
        baseFeePerGas: fees.baseFeePerGas,
      })
      return { charges, excluded, gasUsed }
    },
  }
}
