export { getProgramState, type ProgramState } from './actions/getProgramState.js'
export { getPrograms, type ProgramInfo } from './actions/getPrograms.js'
export {
  type PreparedProgramTransaction,
  type PrepareProgramTransactionParameters,
  prepareProgramTransaction,
} from './actions/prepareProgramTransaction.js'
export { sendProgramTransaction } from './actions/sendProgramTransaction.js'
export { signProgramTransaction } from './actions/signProgramTransaction.js'
export { type ProgramReceipt, waitForProgramReceipt } from './actions/waitForProgramReceipt.js'
export { type AppchainActions, appchainActions } from './decorators/appchainActions.js'
export { AccountRequiredError, ReceiptTimeoutError, UnknownProgramMethodError } from './errors.js'
