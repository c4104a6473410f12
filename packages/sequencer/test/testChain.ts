import {
  type BlockHeader,
  bytesToBigint,
  bytesToHex,
  type Db,
  type Deposit,
  EMPTY_TRIE_ROOT,
  encodeHeader,
  type GasModel,
  type GenesisAlloc,
  type Hex,
  hashHeader,
  hexToBytes,
  rlpDecode,
  type StateDb,
  type Vm,
  ZERO_ADDRESS,
  ZERO_HASH,
} from '@appchain/core'
import { createStateDb, openStateDb } from '@appchain/state'
import type { SealedBlock, SequencerChain } from '../src/types.js'

const HEAD_KEY = new TextEncoder().encode('test:head')

/**
 * The node's side of the seam, as small as a test can make it while staying real: blocks and state ops written
 * in one atomic `Db.batch`, the head kept in the Db, and reopening from it.
 */
export interface TestChain extends SequencerChain {
  readonly sealed: SealedBlock[]
  readonly db: Db
  pushDeposit(d: Deposit): void
}

export async function createTestChain(opts: {
  db: Db
  vm: Vm
  gas: GasModel
  genesis: GenesisAlloc
  /** Reopen an existing chain from `db` instead of writing genesis. */
  reopen?: boolean
}): Promise<TestChain> {
  let state: StateDb
  let head: { header: BlockHeader; hash: Hex }
  const saved = await opts.db.get(HEAD_KEY)
  if (opts.reopen && saved) {
    const f = rlpDecode(saved) as Uint8Array[]
    head = { header: decodeTestHeader(f), hash: hashHeader(decodeTestHeader(f)) }
    state = await openStateDb({ db: opts.db, root: head.header.stateRoot })
  } else {
    state = createStateDb({ db: opts.db })
    await opts.vm.genesis(opts.genesis, state)
    const { root, ops } = await state.flush()
    const fees = opts.gas.genesisFees()
    const header: BlockHeader = {
      parentHash: ZERO_HASH,
      number: 0n,
      timestamp: 0n,
      coinbase: ZERO_ADDRESS,
      stateRoot: root,
      transactionsRoot: EMPTY_TRIE_ROOT,
      receiptsRoot: EMPTY_TRIE_ROOT,
      withdrawalsRoot: EMPTY_TRIE_ROOT,
      logsBloom: `0x${'00'.repeat(256)}`,
      gasLimit: 30_000_000n,
      gasUsed: 0n,
      baseFeePerGas: fees.baseFeePerGas,
      prevRandao: ZERO_HASH,
      extraData: '0x',
    }
    await opts.db.batch([...ops, { type: 'put', key: HEAD_KEY, value: encodeHeader(header) }])
    head = { header, hash: hashHeader(header) }
  }
  const hashes = new Map<bigint, Hex>([[head.header.number, head.hash]])
  const sealed: SealedBlock[] = []
  let deposits: Deposit[] = []
  return {
    sealed,
    db: opts.db,
    pushDeposit: (d) => deposits.push(d),
    head: () => head,
    state: () => state,
    async seal(s) {
      await opts.db.batch([...s.stateOps, { type: 'put', key: HEAD_KEY, value: encodeHeader(s.block.header) }])
      head = { header: s.block.header, hash: s.block.hash }
      hashes.set(s.block.header.number, s.block.hash)
      const done = new Set(s.block.deposits.map((d) => d.sourceHash))
      deposits = deposits.filter((d) => !done.has(d.sourceHash))
      sealed.push(s)
    },
    deposits: async () => [...deposits],
    blockHash: (n) => hashes.get(n),
  }
}

/** Inverse of `encodeHeader` for the fields the test chain needs (no L1 origin). */
function decodeTestHeader(f: Uint8Array[]): BlockHeader {
  const hex = (b: Uint8Array) => bytesToHex(b)
  return {
    parentHash: hex(f[0]!),
    coinbase: hex(f[2]!),
    stateRoot: hex(f[3]!),
    transactionsRoot: hex(f[4]!),
    receiptsRoot: hex(f[5]!),
    logsBloom: hex(f[6]!),
    number: bytesToBigint(f[8]!),
    gasLimit: bytesToBigint(f[9]!),
    gasUsed: bytesToBigint(f[10]!),
    timestamp: bytesToBigint(f[11]!),
    extraData: hex(f[12]!),
    prevRandao: hex(f[13]!),
    baseFeePerGas: bytesToBigint(f[15]!),
    withdrawalsRoot: hex(f[16]!),
  }
}

export { hexToBytes }
