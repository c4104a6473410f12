import { keccak256Hex } from '@appchain/core'
import { serveWorker } from '@appchain/core/workers'

// Test worker: imports workspace packages by name, so it checks the `source` condition reaches workers.
serveWorker((hex: `0x${string}`) => keccak256Hex(hex))
