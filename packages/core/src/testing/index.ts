export { type ConformanceCase, type ConformanceFailure, checkConformance, registerConformance } from './conformance.js'
export { type DaConformanceOptions, checkDaConformance, daConformanceCases, runDaConformance } from './da.js'
export { type DbConformanceOptions, checkDbConformance, dbConformanceCases, runDbConformance } from './db.js'
export {
  type GasModelConformanceOptions,
  checkGasModelConformance,
  gasModelConformanceCases,
  memoryGasStore,
  runGasModelConformance,
} from './gasModel.js'
export {
  type OrderingConformanceOptions,
  checkOrderingConformance,
  orderingConformanceCases,
  pendingViewOf,
  runOrderingConformance,
} from './ordering.js'
export {
  type VmConformanceOptions,
  checkVmConformance,
  runVmConformance,
  testBlockContext,
  vmConformanceCases,
} from './vm.js'
