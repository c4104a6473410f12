import { serveWorker } from './serveWorker.js'

// Test worker for workerPool.test.ts.
serveWorker((task: { op: 'square'; n: number } | { op: 'throw' } | { op: 'exit' }) => {
  if (task.op === 'square') return task.n * task.n
  if (task.op === 'throw') throw new RangeError('bad task')
  process.exit(3)
})
