export { WorkerCrashedError, WorkerPoolClosedError, WorkerTaskError } from './errors.js'
export { serveWorker, withTransfer } from './serveWorker.js'
export { tsBootstrap } from './tsBootstrap.js'
export { type WorkerPool, type WorkerPoolConfig, workerPool } from './workerPool.js'
