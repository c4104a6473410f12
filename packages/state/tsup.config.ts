import { defineConfig } from 'tsup'
import { packageConfig } from '../../tsup.config.base.ts'

// The shard worker is an entry of its own: workerShards starts it by URL (dist/shardWorker.js beside the chunks).
export default defineConfig(packageConfig({ index: 'src/index.ts', shardWorker: 'src/shardWorker.ts' }))
