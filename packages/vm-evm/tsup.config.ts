import { defineConfig } from 'tsup'
import { packageConfig } from '../../tsup.config.base.ts'

// The recovery worker and the state-test bin are entries of their own: the worker is started by URL
// (dist/recoverWorker.js beside the chunk that starts it) and the bin is mapped in package.json.
export default defineConfig(
  packageConfig({
    index: 'src/index.ts',
    recoverWorker: 'src/recoverWorker.ts',
    stateTestCli: 'src/stateTestCli.ts',
  }),
)
