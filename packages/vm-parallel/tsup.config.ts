import { defineConfig } from 'tsup'
import { packageConfig } from '../../tsup.config.base.ts'

// The worker is its own entry: parallelVm starts it by URL next to the built chunks.
export default defineConfig(packageConfig({ index: 'src/index.ts', tx: 'src/tx.ts', worker: 'src/worker.ts' }))
