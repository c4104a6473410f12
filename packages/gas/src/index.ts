export { type CachedGasStore, cachedGasStore } from './cachedGasStore.js'
export { DEMAND_UNIT, decay, demandKey, readDemand, writeDemand } from './demand.js'
export { EIP1559_DEFAULTS, type Eip1559Config, effectiveGasPrice, eip1559 } from './eip1559.js'
export { NotSponsoredError } from './errors.js'
export type { FeeRecipient } from './feeRecipient.js'
export { type FlatFeeConfig, flatFee } from './flatFee.js'
export { flzCompressLen } from './flzCompressLen.js'
export { L1_COST_FASTLZ_COEF, L1_COST_INTERCEPT, l1DataSizeScaled, MIN_TRANSACTION_SIZE_SCALED } from './l1DataSize.js'
export { type LocalFeeMarketsConfig, localFeeMarkets } from './localFeeMarkets.js'
export { type BaseFeeParams, nextBaseFee } from './nextBaseFee.js'
export { type RateLimitedConfig, rateLimited } from './rateLimited.js'
export { type SponsoredConfig, sponsored } from './sponsored.js'
export { readUsage, usageKey, type WindowUsage, windowOf, writeUsage } from './windowUsage.js'
export {
  type L1DataPriceOracle,
  type WithL1DataFeeConfig,
  withL1DataFee,
  withL1DataFeeFromPortable,
} from './withL1DataFee.js'
