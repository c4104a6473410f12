// Runs the bench's appchain node in its own process (as anvil runs in its own), printing one JSON line with its urls.
import { startAppchain } from './targets.js'

const fund = JSON.parse(process.env.BENCH_FUND ?? '[]')
const node = await startAppchain({ name: 'appchain', inMemory: process.env.BENCH_IN_MEMORY === '1', fund })
process.stdout.write(`${JSON.stringify({ url: node.url, wsUrl: node.wsUrl })}\n`)
process.on('SIGTERM', () => {
  node.stop().then(() => process.exit(0))
})
