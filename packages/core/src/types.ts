/** A 0x-prefixed hex string (viem's `Hex`). */
export type Hex = `0x${string}`
/** A 20-byte account address, lower-case 0x hex inside appchain (checksummed only for display). */
export type Address = `0x${string}`

/** An account in the state: what the Ethereum account trie commits to. */
export interface Account {
  nonce: bigint
  balance: bigint
  /** keccak256 of the code; `KECCAK_EMPTY` for accounts without code. */
  codeHash: Hex
}

/** Fee terms offered by a transaction; each `GasModel` interprets them (legacy sets both fields to `gasPrice`). */
export interface FeeBid {
  maxFeePerGas: bigint
  maxPriorityFeePerGas: bigint
  /** A fee token other than the native one, where the model supports it (`flatFee({ token })`). */
  feeToken?: Address | undefined
}

/** The accounts a transaction reads and writes: declared (parallel VM), inputs (UTXO), access list (EVM). */
export interface AccessSet {
  reads: Hex[]
  writes: Hex[]
}

/** What the sequencer, gas models and node know about any VM's transaction. */
export interface TxEnvelope {
  hash: Hex
  raw: Uint8Array
  /** Recovered once, in parallel, and reused everywhere. */
  sender: Address
  /** Per-sender order for the mempool; the UTXO VM derives it from inputs. */
  nonce: bigint
  gasLimit: bigint
  fee: FeeBid
  accessSet?: AccessSet | undefined
  /** Encoded size in bytes. */
  size: number
}

export interface Log {
  address: Address
  topics: Hex[]
  data: Hex
}

/** A receipt in Ethereum's shape, with room for the non-EVM VMs and the gas models' extra fields. */
export interface Receipt {
  transactionHash: Hex
  transactionIndex: number
  /** EIP-2718 type for EVM transactions; VM-specific otherwise. */
  type: number
  from: Address
  to: Address | null
  status: 'success' | 'reverted'
  gasUsed: bigint
  cumulativeGasUsed: bigint
  effectiveGasPrice: bigint
  logs: Log[]
  logsBloom: Hex
  contractAddress: Address | null
  /** DA cost charged on top of execution (`withL1DataFee`). */
  l1Fee?: bigint | undefined
  /** Who paid the fee when it was not the sender (`sponsored`). */
  feePayer?: Address | undefined
  /** Revert data of a failed transaction. */
  output?: Hex | undefined
  /** Optimistic parallel execution: times this transaction was executed again after a conflict. */
  reexecutions?: number | undefined
}

/** An L1 -> L2 deposit, derived from the L1 portal's events. */
export interface Deposit {
  /** Unique id of the deposit: keccak(l1BlockHash, logIndex); replays are refused by it. */
  sourceHash: Hex
  from: Address
  to: Address
  /** Native value minted on L2. */
  mint: bigint
  value: bigint
  gasLimit: bigint
  data: Hex
  isCreation: boolean
  l1BlockNumber: bigint
}

/** An L2 -> L1 message recorded by the L2 message passer and committed in the header's `withdrawalsRoot`. */
export interface Withdrawal {
  nonce: bigint
  sender: Address
  target: Address
  value: bigint
  gasLimit: bigint
  data: Hex
  /** keccak256(abi.encode(nonce, sender, target, value, gasLimit, data)). */
  hash: Hex
}

export interface L1Origin {
  number: bigint
  hash: Hex
}

/** A block header: Ethereum's fields (so viem, ethers and explorers read it unchanged) plus the L1 origin. */
export interface BlockHeader {
  parentHash: Hex
  number: bigint
  timestamp: bigint
  coinbase: Address
  stateRoot: Hex
  transactionsRoot: Hex
  receiptsRoot: Hex
  withdrawalsRoot: Hex
  logsBloom: Hex
  gasLimit: bigint
  gasUsed: bigint
  baseFeePerGas: bigint
  prevRandao: Hex
  extraData: Hex
  l1Origin?: L1Origin | undefined
}

export interface Block {
  hash: Hex
  header: BlockHeader
  /** Raw encoded transactions in block order. */
  transactions: Uint8Array[]
  deposits: Deposit[]
}

/** The fee parameters of one block, as the gas model computed them from the parent. */
export interface BlockFees {
  baseFeePerGas: bigint
  /** Price of one byte of DA, where the model passes the DA cost through. */
  l1DataPricePerByte?: bigint | undefined
}

/** Everything a VM needs to know about the block it executes. */
export interface BlockContext {
  chainId: bigint
  number: bigint
  timestamp: bigint
  coinbase: Address
  gasLimit: bigint
  fees: BlockFees
  prevRandao: Hex
  parentHash: Hex
  /** Hash of an ancestor block by number (BLOCKHASH); undefined outside the last 256. */
  getBlockHash?: ((number: bigint) => Hex | undefined) | undefined
  l1Origin?: L1Origin | undefined
}

/** Genesis allocation: balances, nonces, code and storage per address. */
export type GenesisAlloc = Record<Address, { balance?: bigint; nonce?: bigint; code?: Hex; storage?: Record<Hex, Hex> }>
