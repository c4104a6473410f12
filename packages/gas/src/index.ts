export { EIP1559_DEFAULTS, type Eip1559Config, eip1559, effectiveGasPrice } from './eip1559.js'
export { NotSponsoredError } from './errors.js'
export type { FeeRecipient } from './feeRecipient.js'
export { type BaseFeeParams, nextBaseFee } from './nextBaseFee.js'
