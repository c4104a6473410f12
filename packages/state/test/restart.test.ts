import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { type Address, bytesToHex, type Hex, KECCAK_EMPTY, keccak256, levelDb } from '@appchain/core'
import { runDbConformance } from '@appchain/core/testing'
import { afterAll, describe, expect, it } from 'vitest'
import { createStateDb, openStateDb, recomputeStateRoot, storedStateRoot } from '../src/index.js'

const CHILD = fileURLToPath(new URL('./stateChild.ts', import.meta.url))
const NODE_ARGS = ['--conditions=source', '--import', 'tsx', CHILD]
const addr = (i: number) => `0x${i.toString(16).padStart(40, '0')}` as Address
const word = (i: number | bigint) => `0x${i.toString(16).padStart(64, '0')}` as Hex

const dirs: string[] = []
async function tempDir() {
  const d = await mkdtemp(join(tmpdir(), 'appchain-state-'))
  dirs.push(d)
  return d
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true })
})

// The state lives in levelDb: check that backend against core's Db conformance here too.
runDbConformance({ name: 'levelDb (state backend)', create: async () => levelDb({ path: await tempDir() }) })

describe('restart', () => {
  it('state written through levelDb reads the same root and values in a new process', async () => {
    const path = await tempDir()
    const db = await levelDb({ path })
    const state = createStateDb({ db })
    for (let i = 0; i < 1000; i++)
      await state.putAccount(addr(i), { nonce: BigInt(i % 3), balance: BigInt(i) * 7n, codeHash: KECCAK_EMPTY })
    for (let s = 0; s < 3; s++) await state.putStorage(addr(1), word(s), word(1000 + s))
    const code = Uint8Array.from([0x60, 0x2a, 0x60, 0x00, 0x52])
    await state.putCode(addr(2), code)
    const first = await state.flush()
    await db.batch(first.ops)
    await state.putStorage(addr(1), word(0), word(0))
    const { root, ops } = await state.flush()
    await db.batch(ops)
    await db.close()

    const { stdout } = await promisify(execFile)(process.execPath, [...NODE_ARGS, 'read', path])
    const out = JSON.parse(stdout)
    expect(out.root).toBe(root)
    expect(out.accounts).toEqual([
      { nonce: '0', balance: '0', codeHash: KECCAK_EMPTY },
      { nonce: '1', balance: '7', codeHash: KECCAK_EMPTY },
      { nonce: '2', balance: '14', codeHash: bytesToHex(keccak256(code)) },
      { nonce: '2', balance: '3500', codeHash: KECCAK_EMPTY },
    ])
    expect(out.storage).toEqual([word(0), word(1001), word(1002), word(0)])
    expect(out.code).toBe(Buffer.from(code).toString('hex'))
  })

  it('SIGKILL while committing blocks: the Db holds the last committed head, whole, never a mix', async () => {
    for (const round of [0, 1]) {
      const path = await tempDir()
      // Round 1 reopens a state left by a killed child and kills it again.
      for (const life of round === 0 ? [0] : [0, 1]) {
        const child = spawn(process.execPath, [...NODE_ARGS, 'blocks', path], { stdio: ['ignore', 'pipe', 'pipe'] })
        const printed = await killAfterBlocks(child, 8 + life * 4, 50 + Math.floor(Math.random() * 400))
        expect(printed.length).toBeGreaterThan(0)
        const db = await levelDb({ path })
        try {
          const head = await db.get(new TextEncoder().encode('head'))
          expect(head).toBeDefined()
          const { number, root } = JSON.parse(new TextDecoder().decode(head))
          // The head is the last block printed, or the one after if the kill came between write and print.
          const last = printed.at(-1)!
          expect(number === last.number || number === last.number + 1).toBe(true)
          if (number === last.number) expect(root).toBe(last.root)
          expect(await storedStateRoot(db)).toBe(root)
          expect(await recomputeStateRoot(db)).toBe(root)
          const state = await openStateDb({ db, root })
          expect(await state.root()).toBe(root)
          expect(await state.getStorage(addr(0), word(0))).toBe(word(number))
          // Flat reads and trie reads of the same root agree.
          const viaTrie = (await state.at(root))!
          for (const i of [0, 1, 5, 10, 11, 12, 13, 14]) {
            expect(await viaTrie.getStorage(addr(i), word(1))).toBe(await state.getStorage(addr(i), word(1)))
          }
        } finally {
          await db.close()
        }
      }
    }
  })
})

/** Waits until the child printed `blocks` committed blocks, waits `delayMs` more, SIGKILLs it. */
function killAfterBlocks(
  child: ChildProcess,
  blocks: number,
  delayMs: number,
): Promise<{ number: number; root: Hex }[]> {
  return new Promise((resolve, reject) => {
    const printed: { number: number; root: Hex }[] = []
    let buffer = ''
    let stderr = ''
    let timer: NodeJS.Timeout | undefined
    child.stderr!.on('data', (d) => {
      stderr += d
    })
    child.stdout!.on('data', (d: Buffer) => {
      buffer += d.toString()
      const lines = buffer.split('\n')
      buffer = lines.pop()!
      for (const line of lines) {
        const [n, root] = line.split(' ')
        printed.push({ number: Number(n), root: root as Hex })
      }
      if (timer === undefined && printed.length >= blocks) timer = setTimeout(() => child.kill('SIGKILL'), delayMs)
    })
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(printed)
      else reject(new Error(`child exited with ${code}: ${stderr}`))
    })
  })
}
