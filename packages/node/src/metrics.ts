import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'

/**
 * The node's Prometheus metrics on their own registry (several nodes can live in one process):
 * blocks, transactions, mempool size, block build and seal time, head, RPC calls, WebSocket connections.
 *
 * @example
 * ```ts
 * const metrics = createNodeMetrics({ mempoolSize: () => 0 })
 * const text = await metrics.registry.metrics()
 * ```
 */
export function createNodeMetrics(opts: { mempoolSize: () => number; defaults?: boolean | undefined }) {
  const registry = new Registry()
  if (opts.defaults ?? true) collectDefaultMetrics({ register: registry, prefix: 'appchain_process_' })
  return {
    registry,
    blocks: new Counter({ name: 'appchain_blocks_total', help: 'Blocks sealed', registers: [registry] }),
    txs: new Counter({
      name: 'appchain_transactions_total',
      help: 'Transactions sealed into blocks',
      registers: [registry],
    }),
    head: new Gauge({ name: 'appchain_head_block_number', help: 'Number of the head block', registers: [registry] }),
    mempool: new Gauge({
      name: 'appchain_mempool_size',
      help: 'Transactions in the mempool',
      registers: [registry],
      collect() {
        this.set(opts.mempoolSize())
      },
    }),
    buildTime: new Histogram({
      name: 'appchain_block_build_seconds',
      help: 'Time to execute a block (vm.executeBlock)',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    sealTime: new Histogram({
      name: 'appchain_block_seal_seconds',
      help: 'Time to write a sealed block, its receipts, indexes and state in one batch',
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
      registers: [registry],
    }),
    rpcCalls: new Counter({
      name: 'appchain_rpc_requests_total',
      help: 'JSON-RPC calls by method and outcome',
      labelNames: ['method', 'status'] as const,
      registers: [registry],
    }),
    wsConnections: new Gauge({
      name: 'appchain_ws_connections',
      help: 'Open WebSocket connections',
      registers: [registry],
    }),
  }
}

export type NodeMetrics = ReturnType<typeof createNodeMetrics>
