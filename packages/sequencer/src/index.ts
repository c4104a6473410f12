export { nextBlockContext } from './blockContext.js'
export { buildBlock, type FillResult, fillBlock } from './buildBlock.js'
export {
  InvalidPreconfirmationError,
  NonceGapTooLargeError,
  PreconfirmationBrokenError,
  TxExceedsBlockLimitError,
} from './errors.js'
export { fifo } from './fifo.js'
export {
  createMempool,
  type Mempool,
  type MempoolAddResult,
  type MempoolConfig,
  type MempoolNonceResult,
} from './mempool.js'
export { executeBlockBuilder, type OpenBlock, type OpenBlockInput, openBlock, type Placement } from './openBlock.js'
export {
  type Preconfirmation,
  type PreconfSigner,
  preconfirmationDigest,
  preconfirmationDomain,
  preconfirmationTypes,
  preconfSigner,
  verifyPreconfirmation,
} from './preconfirmation.js'
export { priorityFee } from './priorityFee.js'
export { sealBlock } from './sealBlock.js'
export {
  type BlockInfo,
  createSequencer,
  type Sequencer,
  type SequencerConfig,
  type SequencerMempool,
} from './sequencer.js'
export { createTicker, type Ticker } from './ticker.js'
export type { SealedBlock, SequencerChain, SequencerLogger } from './types.js'
