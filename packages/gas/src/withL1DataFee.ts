import {
  type Address,
  type BlockFees,
  type ChargeContext,
  type FeeCharge,
  type GasModel,
  type HeaderFees,
  InsufficientFundsError,
  PaymasterInsufficientFundsError,
  type PortableGasModel,
  PREDEPLOYS,
  type TxEnvelope,
  type UpfrontCharge,
} from '@appchain/core'
import { admissionBalances } from './admissionBalances.js'
import { configFeeRecipient } from './feeRecipient.js'
import { frozenArray } from './frozenArray.js'
import { hideSyncVariants } from './hideSyncVariants.js'
import { l1DataSizeOf } from './l1DataSize.js'
import { configBigint } from './validateConfig.js'

/** Where the DA price per byte comes from. It must be a function of chain data so followers agree. */
export type L1DataPriceOracle = (parent: HeaderFees | undefined) => bigint

export type WithL1DataFeeConfig = (
  | {
      /** A fixed price per compressed byte (in the inner model's fee unit). */
      pricePerByte: bigint
      oracle?: undefined
    }
  | {
      /** The price per compressed byte for the block after `parent` (the DA adapter's or an L1 oracle's). */
      oracle: L1DataPriceOracle
      pricePerByte?: undefined
    }
) & {
  /** Where the DA fee goes (it pays the batcher's DA bills). Default the fee vault predeploy. */
  feeRecipient?: 'burn' | 'coinbase' | Address | undefined
}

/**
 * Adds the DA cost of each transaction to another model's fee, as OP Stack's L1 fee: the transaction's
 * estimated size in a compressed batch (FastLZ, Fjord's regression) × the DA price per byte. The price is
 * fixed per block (`BlockFees.l1DataPricePerByte`); receipts get the part as `l1Fee`. The payer of the
 * inner model pays it (the paymaster under `sponsored`). Fits DeFi chains posting to Ethereum.
 *
 * @example
 * ```ts
 * import { eip1559, withL1DataFee } from '@appchain/gas'
 * const gas = withL1DataFee(eip1559(), { pricePerByte: 16n * 30_000_000_000n }) // calldata at 30 gwei
 * ```
 */
export function withL1DataFee(model: GasModel, config: WithL1DataFeeConfig): GasModel {
  const name = 'withL1DataFee'
  if (model === null || typeof model !== 'object' || typeof model.charge !== 'function') {
    throw new TypeError('withL1DataFee: model must be a GasModel')
  }
  if (config === null || typeof config !== 'object') throw new TypeError('withL1DataFee: config must be an object')
  const fixed = config.pricePerByte === undefined ? undefined : configBigint(name, 'pricePerByte', config.pricePerByte)
  const oracle = config.oracle
  if ((fixed === undefined) === (oracle === undefined)) {
    throw new TypeError('withL1DataFee: give exactly one of pricePerByte and oracle')
  }
  if (oracle !== undefined && typeof oracle !== 'function')
    throw new TypeError('withL1DataFee: oracle must be a function')
  const recipient = configFeeRecipient(name, 'feeRecipient', config.feeRecipient ?? PREDEPLOYS.feeVault)
  const paymaster = (model as { paymaster?: Address }).paymaster
  // The payer's balance, read once per admission batch (the state does not change during one).
  const admissionBalance = admissionBalances()

  const priceFor = (parent: HeaderFees | undefined): bigint => {
    if (fixed !== undefined) return fixed
    const p = oracle!(parent)
    if (typeof p !== 'bigint' || p < 0n) throw new RangeError(`withL1DataFee: oracle returned ${String(p)}`)
    return p
  }
  const withPrice = (fees: BlockFees, parent: HeaderFees | undefined): BlockFees => ({
    ...fees,
    l1DataPricePerByte: priceFor(parent),
  })
  // upfront and charge ask for the same transaction's fee back to back (the EVM VM): keep the last answer.
  let lastTx: TxEnvelope | undefined
  let lastRaw: Uint8Array | undefined
  let lastFees: BlockFees | undefined
  let lastFee = 0n
  const l1FeeOf = (tx: TxEnvelope, fees: BlockFees) => {
    if (tx === lastTx && tx.raw === lastRaw && fees === lastFees) return lastFee
    lastFee = (l1DataSizeOf(tx) * (fees.l1DataPricePerByte ?? fixed ?? 0n)) / 1_000_000n
    lastTx = tx
    lastRaw = tx.raw
    lastFees = fees
    return lastFee
  }

  // Field by field, not `{ ...up, amount }` (V8 builds a spread-then-extended object several times slower).
  const withAmount = (up: UpfrontCharge, amount: bigint): UpfrontCharge => {
    const out: UpfrontCharge = { payer: up.payer, amount }
    if (up.token !== undefined) out.token = up.token
    if (up.exact !== undefined) out.exact = up.exact
    return out
  }
  const paymasterCovers = (up: UpfrontCharge, amount: bigint, balance: bigint): UpfrontCharge => {
    if (balance < amount) throw new PaymasterInsufficientFundsError({ paymaster: up.payer, balance, cost: amount })
    return withAmount(up, amount)
  }
  // The last split built (see withL1Fee), by what it was built from: the inner charge's credits (eip1559 hands
  // out the same frozen list while a block's transactions bid and use gas alike), its burnt part, the DA fee and
  // the recipient. Reused while all match: the copy and its credits cost two or three objects per transaction.
  let lastInner: FeeCharge['credits'] | undefined
  let lastInnerBurnt = -1n
  let lastL1Fee = -1n
  let lastTo: Address | undefined
  let lastBurnt = 0n
  let lastCredits: FeeCharge['credits'] = []
  /** The inner model's charge plus the DA fee, paid to `recipient`. */
  const withL1Fee = (c: FeeCharge, tx: TxEnvelope, ctx: ChargeContext): FeeCharge => {
    const l1Fee = l1FeeOf(tx, ctx.fees)
    const to = recipient === 'burn' ? undefined : recipient === 'coinbase' ? ctx.coinbase : recipient
    const inner = c.credits
    // Only a frozen inner list can be taken for the same one again (a model could refill a list of its own).
    const same =
      inner === lastInner &&
      c.burnt === lastInnerBurnt &&
      l1Fee === lastL1Fee &&
      to === lastTo &&
      Object.isFrozen(inner)
    if (!same) {
      // A copy of the inner charge's split (never changed in place) with the DA fee added as addToSplit adds it:
      // burnt, onto the recipient's credit, or as a new last credit; the array at its final length, frozen (it
      // is handed out again).
      let burnt = c.burnt
      let at = -1
      if (l1Fee !== 0n) {
        if (to === undefined) burnt += l1Fee
        else for (let i = 0; i < inner.length && at < 0; i++) if (inner[i]!.to === to) at = i
      }
      const appended = l1Fee !== 0n && to !== undefined && at < 0
      const credits: { to: Address; amount: bigint }[] = new Array(appended ? inner.length + 1 : inner.length)
      for (let i = 0; i < inner.length; i++)
        credits[i] = Object.freeze({ to: inner[i]!.to, amount: i === at ? inner[i]!.amount + l1Fee : inner[i]!.amount })
      if (appended) credits[inner.length] = Object.freeze({ to: to!, amount: l1Fee })
      lastInner = inner
      lastInnerBurnt = c.burnt
      lastL1Fee = l1Fee
      lastTo = to
      lastBurnt = burnt
      lastCredits = frozenArray(credits)
    }
    const out: FeeCharge = {
      payer: c.payer,
      amount: c.amount + l1Fee,
      burnt: lastBurnt,
      credits: lastCredits,
      effectiveGasPrice: c.effectiveGasPrice,
      l1Fee,
    }
    if (c.token !== undefined) out.token = c.token
    return out
  }

  /** Admission's check that the payer (the paymaster, or the sender) can pay the DA part `l1Fee`. */
  const checkL1Funds = (tx: TxEnvelope, balance: bigint, l1Fee: bigint): void => {
    if (balance >= l1Fee) return
    throw paymaster
      ? new PaymasterInsufficientFundsError({ paymaster, balance, cost: l1Fee })
      : new InsufficientFundsError({ address: tx.sender, balance, cost: l1Fee })
  }

  // Portable when the inner model is and the price is fixed (an oracle is a function: it cannot cross threads).
  const portable: PortableGasModel | undefined =
    model.portable !== undefined && fixed !== undefined && paymaster === undefined
      ? {
          module: import.meta.url,
          factory: 'withL1DataFeeFromPortable',
          config: { model: model.portable, pricePerByte: fixed, feeRecipient: recipient },
        }
      : undefined

  return hideSyncVariants({
    name: `withL1DataFee(${model.name})`,
    ...(paymaster === undefined ? {} : { paymaster }),
    ...(portable === undefined ? {} : { portable }),
    genesisFees: () => withPrice(model.genesisFees(), undefined),
    nextBlockFees: (parent) => withPrice(model.nextBlockFees(parent), parent),
    async admit(tx, ctx) {
      await model.admit(tx, ctx)
      const l1Fee = l1FeeOf(tx, ctx.fees)
      if (l1Fee === 0n) return
      // The inner model checked its own part; the DA part needs funds too, or execution would refuse it.
      const payer = paymaster ?? tx.sender
      // A balance already read in this admission batch comes back as a bigint: no await for it.
      const cached = admissionBalance.of(ctx, payer)
      checkL1Funds(tx, typeof cached === 'bigint' ? cached : await cached, l1Fee)
    },
    admitSync(tx, ctx) {
      // As admit, when the inner model decides from memory and the payer's balance was read for the batch.
      if (model.admitSync === undefined || !model.admitSync(tx, ctx)) return false
      const l1Fee = l1FeeOf(tx, ctx.fees)
      if (l1Fee === 0n) return true
      const balance = admissionBalance.peek(ctx, paymaster ?? tx.sender)
      if (balance === undefined) return false
      checkL1Funds(tx, balance, l1Fee)
      return true
    },
    upfrontSync(tx, ctx) {
      if (model.upfrontSync === undefined) return undefined
      // A known paymaster's balance must be in memory before the inner model holds anything.
      if (paymaster !== undefined && ctx.peekBalance?.(paymaster) === undefined) return undefined
      const up = model.upfrontSync(tx, ctx)
      if (up === undefined) return undefined
      const amount = up.amount + l1FeeOf(tx, ctx.fees)
      if (up.payer === tx.sender) return withAmount(up, amount)
      const balance = ctx.peekBalance?.(up.payer)
      if (balance === undefined) {
        // Another payer, not in memory: give back what the inner model holds and let upfront read it.
        model.release?.(tx, ctx)
        return undefined
      }
      return paymasterCovers(up, amount, balance)
    },
    async upfront(tx, ctx) {
      const up = await model.upfront(tx, ctx)
      const amount = up.amount + l1FeeOf(tx, ctx.fees)
      if (up.payer === tx.sender) return withAmount(up, amount)
      // A paymaster must hold the whole amount before anything is debited (the sender is the VM's check).
      return paymasterCovers(up, amount, ctx.peekBalance?.(up.payer) ?? (await ctx.balanceOf(up.payer)))
    },
    chargeSync(tx, gasUsed, ctx) {
      const c = model.chargeSync?.(tx, gasUsed, ctx)
      return c === undefined ? undefined : withL1Fee(c, tx, ctx)
    },
    async charge(tx, gasUsed, ctx) {
      return withL1Fee(await model.charge(tx, gasUsed, ctx), tx, ctx)
    },
    priority: (tx, fees) => model.priority(tx, fees),
    quote: (fees) => model.quote(fees),
    ...(model.release ? { release: (tx, ctx) => model.release!(tx, ctx) } : {}),
    ...(model.prefetch ? { prefetch: (txs, ctx) => model.prefetch!(txs, ctx) } : {}),
    ...(model.observeBlock ? { observeBlock: (input) => model.observeBlock!(input) } : {}),
  })
}

/**
 * `withL1DataFee` rebuilt from its portable spec in another thread (what `withL1DataFee(...).portable` names):
 * imports and builds the inner model's own spec first.
 *
 * @example
 * ```ts
 * const spec = withL1DataFee(eip1559(), { pricePerByte: 1000n }).portable!
 * const copy = await (await import(spec.module))[spec.factory](spec.config) // in a worker
 * ```
 */
export async function withL1DataFeeFromPortable(config: {
  model: PortableGasModel
  pricePerByte: bigint
  feeRecipient: 'burn' | 'coinbase' | Address
}): Promise<GasModel> {
  if (config === null || typeof config !== 'object' || typeof config.model?.module !== 'string')
    throw new TypeError('withL1DataFeeFromPortable: config.model must be a portable gas model spec')
  const factory = ((await import(config.model.module)) as Record<string, unknown>)[config.model.factory]
  if (typeof factory !== 'function')
    throw new TypeError(`withL1DataFeeFromPortable: ${config.model.module} has no factory ${config.model.factory}`)
  const inner = (await factory(config.model.config)) as GasModel
  return withL1DataFee(inner, { pricePerByte: config.pricePerByte, feeRecipient: config.feeRecipient })
}
