import { type EVM, EVMError } from '@ethereumjs/evm'
import { Account, createZeroAddress } from '@ethereumjs/util'

// The members of `@ethereumjs/evm`'s EVM, Message and Interpreter that `runInterpreter` touches; the
// classes are not exported with these members, so they are typed loosely here.
// biome-ignore lint/suspicious/noExplicitAny: mirrors untyped interpreter internals
type Any = any

interface RunResult {
  runState: { gasLeft: bigint; gasRefund: bigint; stateGasSpilled: bigint }
  exceptionError?: EVMError
}

/**
 * Replaces `runInterpreter` on this EVM instance (not on the class: other EVMs keep the stock method) with
 * the same steps minus a copy: the stock method returns `runState` as a fresh merge of the interpreter's
 * run state, result and environment (three object spreads of some 20 fields each on every call frame),
 * which nothing in the EVM or in this package reads. Here `runState` is the interpreter's own run state;
 * every other field of the result is the stock one.
 *
 * @example
 * ```ts
 * useLightRunInterpreter(evm, interpreterPrototype.constructor)
 * ```
 */
export function useLightRunInterpreter(evm: EVM, Interpreter: new (...args: Any[]) => Any): void {
  const e = evm as Any
  e.runInterpreter = async function (this: Any, message: Any, opts: Any = {}) {
    let contract = await this.stateManager.getAccount(message.to ?? createZeroAddress())
    if (!contract) contract = new Account()
    const env = {
      address: message.to ?? createZeroAddress(),
      caller: message.caller ?? createZeroAddress(),
      callData: message.data ?? Uint8Array.from([0]),
      callValue: message.value ?? 0n,
      code: message.code,
      isStatic: message.isStatic ?? false,
      isCreate: message.isCreate ?? false,
      depth: message.depth ?? 0,
      gasPrice: this._tx.gasPrice,
      origin: this._tx.origin ?? message.caller ?? createZeroAddress(),
      // runCall and runCode set the block before any frame runs
      block: this._block,
      contract,
      codeAddress: message.codeAddress,
      gasRefund: message.gasRefund,
      chargeCodeAccesses: message.chargeCodeAccesses,
      blobVersionedHashes: message.blobVersionedHashes ?? [],
      accessWitness: message.accessWitness,
      createdAddresses: message.createdAddresses,
      initialLogs: opts.initialLogs,
    }
    const interpreter = new Interpreter(
      this,
      this.stateManager,
      this.blockchain,
      env,
      message.gasLimit,
      this.journal,
      this.performanceLogger,
      this._optsCached.profiler,
    )
    if (message.selfdestruct) interpreter._result.selfdestruct = message.selfdestruct
    if (message.createdAddresses) interpreter._result.createdAddresses = message.createdAddresses
    const res: RunResult = await interpreter.run(message.code, opts)
    let result = interpreter._result
    let gasUsed = message.gasLimit - res.runState.gasLeft
    if (res.exceptionError) {
      const error = res.exceptionError.error
      if (error !== EVMError.errorMessages.REVERT && error !== EVMError.errorMessages.INVALID_EOF_FORMAT)
        gasUsed = message.gasLimit
      result = { ...result, logs: [], selfdestruct: new Map(), createdAddresses: new Set() }
    }
    message.accessWitness?.commit()
    return {
      ...result,
      runState: res.runState,
      exceptionError: res.exceptionError,
      gas: res.runState.gasLeft,
      executionGasUsed: gasUsed,
      gasRefund: res.runState.gasRefund,
      stateGasSpilled: res.runState.stateGasSpilled,
      returnValue: result.returnValue ?? new Uint8Array(0),
    }
  }
}
