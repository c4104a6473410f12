// Child process for the restart and crash tests (run with `node --conditions=source --import tsx`).
//   read <path>: reopens the state and prints its root and some values as JSON.
//   blocks <path>: commits blocks in a loop (state ops + head record in one batch), printing each.
import { type Address, type Hex, hexToBytes, KECCAK_EMPTY, levelDb } from '@appchain/core'
import { createStateDb, openStateDb } from '../src/index.js'

export const HEAD_KEY = new TextEncoder().encode('head')
const addr = (i: number) => `0x${i.toString(16).padStart(40, '0')}` as Address
const word = (i: number | bigint) => `0x${i.toString(16).padStart(64, '0')}` as Hex

const [mode, path] = process.argv.slice(2)
if (path === undefined) throw new Error('usage: stateChild.ts read|blocks <path>')
const db = await levelDb({ path })

if (mode === 'read') {
  const state = await openStateDb({ db })
  const out = {
    root: await state.root(),
    accounts: await Promise.all(
      [0, 1, 2, 500].map(async (i) => {
        const a = await state.getAccount(addr(i))
        return a && { nonce: String(a.nonce), balance: String(a.balance), codeHash: a.codeHash }
      }),
    ),
    storage: await Promise.all([0, 1, 2, 3].map((s) => state.getStorage(addr(1), word(s)))),
    code: Buffer.from(await state.getCode(addr(2))).toString('hex'),
  }
  await db.close()
  process.stdout.write(`${JSON.stringify(out)}\n`)
} else if (mode === 'blocks') {
  const head = await db.get(HEAD_KEY)
  const state =
    head === undefined
      ? createStateDb({ db })
      : await openStateDb({ db, root: JSON.parse(new TextDecoder().decode(head)).root })
  for (let i = 0; i < 15; i++) await state.putAccount(addr(i), { nonce: 0n, balance: 1n, codeHash: KECCAK_EMPTY })
  for (let n = 1; ; n++) {
    // Each block touches 300 accounts and 100 slots spread over a growing state, and clears one account.
    for (let i = 0; i < 300; i++) {
      const a = addr(15 + ((n * 7919 + i * 104729) % 5000))
      await state.putAccount(a, { nonce: BigInt(n), balance: BigInt(n * 1000 + i), codeHash: KECCAK_EMPTY })
    }
    for (let i = 0; i < 100; i++) await state.putStorage(addr(i % 10), word((n * 31 + i) % 500), word(n * 1000 + i + 1))
    await state.putStorage(addr(0), word(0), word(n))
    await state.clearStorage(addr(10 + (n % 5)))
    await state.putStorage(addr(10 + (n % 5)), word(1), word(n))
    const { root, ops } = await state.flush()
    await db.batch([
      ...ops,
      { type: 'put', key: HEAD_KEY, value: new TextEncoder().encode(JSON.stringify({ number: n, root })) },
    ])
    process.stdout.write(`${n} ${root}\n`)
  }
} else {
  throw new Error(`unknown mode ${mode}`)
}

export { hexToBytes }
