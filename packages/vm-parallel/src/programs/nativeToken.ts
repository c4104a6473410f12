import type { Address } from '@appchain/core'
import { defineProgram, type Program } from '../program.js'

export interface NativeTokenConfig {
  /** The only account that may mint. */
  authority: Address
}

/**
 * The built-in native token: `transfer(to, amount)` from the sender, `mint(to, amount)` by the authority.
 * Balances are the accounts' native balances in the state (read them with `appchain_getBalance`), so the
 * fee models and the bridge see the same money.
 *
 * @example
 * ```ts
 * const token = nativeToken({ authority: '0x1111111111111111111111111111111111111111' })
 * parallelVm({ programs: [token] })
 * ```
 */
export function nativeToken(config: NativeTokenConfig): Program {
  if (typeof config?.authority !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(config.authority)) {
    throw new TypeError('nativeToken: authority must be an address')
  }
  return defineProgram({
    id: 'token',
    data: false,
    capabilities: ['mint'],
    config: { authority: config.authority.toLowerCase() },
    methods: {
      transfer: {
        args: { to: 'address', amount: 'uint256' },
        gas: { base: 2_100n, perByte: 8n, perAccount: 400n },
        run(ctx, args) {
          ctx.transfer(ctx.sender, args.to, args.amount)
          ctx.emit('Transfer', ctx.sender, args.to, args.amount)
        },
        accounts: (args, sender) => ({ reads: [], writes: sender === args.to ? [sender] : [sender, args.to] }),
      },
      mint: {
        args: { to: 'address', amount: 'uint256' },
        gas: { base: 2_100n, perByte: 8n, perAccount: 400n },
        run(ctx, args) {
          ctx.assert(ctx.sender === ctx.config.authority, 'only the authority can mint')
          ctx.mint(args.to, args.amount)
          ctx.emit('Mint', args.to, args.amount)
        },
        accounts: (args) => ({ reads: [], writes: [args.to] }),
      },
    },
  })
}
