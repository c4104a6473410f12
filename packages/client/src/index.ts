export { type ProgramInfo, getPrograms } from './actions/getPrograms.js'
export { type ProgramState, getProgramState } from './actions/getProgramState.js'
export {
  type PrepareProgramTransactionParameters,
  type PreparedProgramTransaction,
  prepareProgramTransaction,
} from './actions/prepareProgramTransaction.js'
export { sendProgramTransaction } from './actions/sendProgramTransaction.js'
export { signProgramTransaction } from './actions/signProgramTransaction.js'
export { type ProgramReceipt, waitForProgramReceipt } from './actions/waitForProgramReceipt.js'
export { type AppchainActions, appchainActions } from './decorators/appchainActions.js'
export { AccountRequiredError, ReceiptTimeoutError, UnknownProgramMethodError } from './errors.js'
