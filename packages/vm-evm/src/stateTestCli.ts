#!/usr/bin/env node
// appchain-state-test <file-or-dir>... [--fork Cancun]: runs ethereum/tests GeneralStateTests through
// evmVm and @appchain/state; one line per failure, then `N passed, N failed, N skipped`.
import { findStateTestFiles, runStateTests } from './stateTest.js'

const args = process.argv.slice(2)
let fork = 'Cancun'
const paths: string[] = []
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--fork') fork = args[++i] ?? fork
  else paths.push(args[i]!)
}
if (paths.length === 0) {
  console.error('usage: appchain-state-test <file-or-dir>... [--fork Cancun]')
  process.exit(2)
}
const summary = await runStateTests(findStateTestFiles(paths), { fork, onFailure: (line) => console.log(line) })
console.log(`${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped`)
process.exit(summary.failed > 0 ? 1 : 0)
