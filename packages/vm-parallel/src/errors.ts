import { BaseError } from '@appchain/core'

/** A program definition that cannot be registered (bad id, unknown argument type, duplicate program). */
export class ProgramDefinitionError extends BaseError {
  override name = 'ProgramDefinitionError'
  constructor(args: { program: string; reason: string }) {
    super(`Invalid program ${args.program}: ${args.reason}`, { data: args })
  }
}

/** A transaction names a program the chain does not run. */
export class ProgramNotFoundError extends BaseError {
  override name = 'ProgramNotFoundError'
  constructor(args: { program: string; known: string[] }) {
    super(`Unknown program ${args.program}.`, { data: args, metaMessages: [`Programs: ${args.known.join(', ')}`] })
  }
}

/** A transaction names a method its program does not have. */
export class MethodNotFoundError extends BaseError {
  override name = 'MethodNotFoundError'
  constructor(args: { program: string; method: string; known: string[] }) {
    super(`Program ${args.program} has no method ${args.method}.`, {
      data: args,
      metaMessages: [`Methods: ${args.known.join(', ')}`],
    })
  }
}

/** Arguments that do not match the method's declared types. */
export class InvalidArgumentsError extends BaseError {
  override name = 'InvalidArgumentsError'
  constructor(args: { program: string; method: string; arg: string; expected: string; got: string }) {
    super(`Argument ${args.arg} of ${args.program}.${args.method} must be ${args.expected}, got ${args.got}.`, {
      data: args,
    })
  }
}

/**
 * A program reached for something a deterministic program may not use (a clock, randomness, I/O,
 * the global object). The transaction fails even when the program catches the error.
 */
export class ForbiddenGlobalError extends BaseError {
  override name = 'ForbiddenGlobalError'
  constructor(args: { program: string; method: string; global: string }) {
    super(`Program ${args.program}.${args.method} used forbidden global ${args.global}.`, {
      data: args,
      metaMessages: [
        'Programs run without clocks, randomness, I/O or host globals so every node computes the same state.',
      ],
    })
  }
}

/** A program returned a promise or otherwise broke the synchronous program contract. */
export class ProgramContractError extends BaseError {
  override name = 'ProgramContractError'
  constructor(args: { program: string; method: string; reason: string }) {
    super(`Program ${args.program}.${args.method} broke the program contract: ${args.reason}`, { data: args })
  }
}

/** A program reverted (explicitly or by throwing); state is untouched and gas is charged. */
export class ProgramRevertedError extends BaseError {
  override name = 'ProgramRevertedError'
  constructor(args: { program: string; method: string; reason: string }) {
    super(`Program ${args.program}.${args.method} reverted: ${args.reason}`, { data: args })
  }
}

/** A program tried to move native balance it may not move (not the sender's, or minting without the capability). */
export class BalanceAccessError extends BaseError {
  override name = 'BalanceAccessError'
  constructor(args: { program: string; account: string; reason: string }) {
    super(`Program ${args.program} may not change the balance of ${args.account}: ${args.reason}`, { data: args })
  }
}

/** A program's account record exceeds the size limit. */
export class RecordTooLargeError extends BaseError {
  override name = 'RecordTooLargeError'
  constructor(args: { program: string; account: string; size: number; max: number }) {
    super(`Record of ${args.program} at ${args.account} is ${args.size} bytes, above the limit of ${args.max}.`, {
      data: args,
    })
  }
}
