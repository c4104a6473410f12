export { type ConformanceCase, type ConformanceFailure, checkConformance, registerConformance } from './conformance.js'
export { checkDaConformance, type DaConformanceOptions, daConformanceCases, runDaConformance } from './da.js'
export { checkDbConformance, type DbConformanceOptions, dbConformanceCases, runDbConformance } from './db.js'
export {
  checkGasModelConformance,
  type GasModelConformanceOptions,
  gasModelConformanceCases,
  memoryGasStore,
  runGasModelConformance,
} from './gasModel.js'
export {
  checkOrderingConformance,
  type OrderingConformanceOptions,
  orderingConformanceCases,
  pendingViewOf,
  runOrderingConformance,
} from './ordering.js'
export {
  checkVmConformance,
  runVmConformance,
  testBlockContext,
  type VmConformanceOptions,
  vmConformanceCases,
} from './vm.js'
