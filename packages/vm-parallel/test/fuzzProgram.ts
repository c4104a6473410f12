import type { Address } from '@appchain/core'
import { derivationKey, deriveAddress } from '../src/executor.js'
import { defineProgram, programAddress } from '../src/program.js'

/**
 * A program whose behaviour is data: `code` is a list of ops over accounts, so random call sequences are
 * random programs. Ops (`;`-separated, fields `,`-separated): `g,X,k` acc += X.k; `s,X,k` X.k = acc + n;
 * `i,X,k,d` X.k += d; `b,X` acc += balance(X); `t,X,d` send d from the sender to X; `r,X,k,v` revert if
 * X.k > v; `e` emit acc. X: S sender, A/B arguments, P the program, D0..D3 derived accounts.
 */
export const fuzz = defineProgram({
  id: 'fuzz',
  capabilities: [],
  methods: {
    exec: {
      args: { a: 'address', b: 'address', n: 'uint256', code: 'string' },
      run(ctx, args) {
        const ref = (r: string) =>
          r === 'S'
            ? ctx.sender
            : r === 'A'
              ? args.a
              : r === 'B'
                ? args.b
                : r === 'P'
                  ? ctx.programAddress
                  : ctx.derive('d', r)
        let acc = 0n
        for (const op of args.code.split(';')) {
          if (op === '') continue
          const [c, x = 'S', k = 'k', v = '0'] = op.split(',')
          if (c === 'g') acc += ctx.get(ref(x), k)
          else if (c === 's') ctx.set(ref(x), k, (acc + args.n) % (1n << 64n))
          else if (c === 'i') ctx.set(ref(x), k, ctx.get(ref(x), k) + BigInt(v))
          else if (c === 'b') acc += ctx.balance(ref(x)) % 1000n
          else if (c === 't') ctx.transfer(ctx.sender, ref(x), BigInt(k))
          else if (c === 'r') {
            if (ctx.get(ref(x), k) > BigInt(v)) ctx.revert('limit')
          } else if (c === 'e') ctx.emit('Acc', acc)
        }
      },
    },
  },
})

/** The accounts an op list touches (what an honest client declares). */
export function touched(
  code: string,
  sender: Address,
  a: Address,
  b: Address,
): { reads: Address[]; writes: Address[] } {
  const reads = new Set<Address>()
  const writes = new Set<Address>()
  const ref = (r: string): Address =>
    r === 'S'
      ? sender
      : r === 'A'
        ? a
        : r === 'B'
          ? b
          : r === 'P'
            ? programAddress('fuzz')
            : deriveAddress(derivationKey('d', r))
  for (const op of code.split(';')) {
    if (op === '') continue
    const [c, x = 'S'] = op.split(',')
    if (c === 'g' || c === 'b' || c === 'r') reads.add(ref(x))
    else if (c === 's' || c === 'i') writes.add(ref(x))
    else if (c === 't') {
      writes.add(sender)
      writes.add(ref(x))
    }
  }
  for (const w of writes) reads.delete(w)
  return { reads: [...reads], writes: [...writes] }
}
