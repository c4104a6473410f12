import { serveWorker, withTransfer } from '@appchain/core/workers'
import { defaultRecoverer, nobleRecoverer } from './recoverAddress.js'
import { type RecoverTask, recoverPacked } from './recoverBatch.js'

// One batch of packed signatures in, one buffer of packed addresses out (see recoverBatch.ts).
const recoverers = { native: defaultRecoverer(), noble: nobleRecoverer }

serveWorker((task: RecoverTask) => {
  const out = recoverPacked(task.packed, recoverers[task.backend])
  return withTransfer(out, [out.buffer as ArrayBuffer])
})
