import type { Client } from 'viem'

/** A JSON-RPC call to a method viem's schema does not know (the `appchain_` namespace). */
export function rpc<T>(client: Client, method: string, params: unknown[] = []): Promise<T> {
  return (client.request as (args: { method: string; params: unknown[] }) => Promise<T>)({ method, params })
}
