import { Agent, request } from 'node:http'

/** One keep-alive HTTP connection for JSON-RPC (a "connection" of the throughput bench). */
export function httpConnection(url: string) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  const { hostname, port } = new URL(url)
  return {
    // biome-ignore lint/suspicious/noExplicitAny: JSON-RPC replies of any shape
    call(body: unknown): Promise<any> {
      const data = JSON.stringify(body)
      return new Promise((resolve, reject) => {
        const req = request(
          {
            agent,
            hostname,
            port,
            method: 'POST',
            path: '/',
            headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) },
          },
          (res) => {
            const chunks: Buffer[] = []
            res.on('data', (c) => chunks.push(c))
            res.on('end', () => {
              try {
                resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')))
              } catch (err) {
                reject(err)
              }
            })
          },
        )
        req.setTimeout(Number(process.env.BENCH_RPC_TIMEOUT_MS ?? 30_000), () =>
          req.destroy(
            new Error(`request timed out after ${Number(process.env.BENCH_RPC_TIMEOUT_MS ?? 30_000) / 1000} s`),
          ),
        )
        req.on('error', reject)
        req.end(data)
      })
    },
    close() {
      agent.destroy()
    },
  }
}
