import type { Address } from '@appchain/core'
import { derivationKey, deriveAddress } from '../executor.js'
import { type ConfigValue, defineProgram, type Program } from '../program.js'

export interface GameConfig {
  /** Width and height of the grid (default 64). */
  gridSize?: bigint | undefined
  /** Crafting recipes: item -> ingredients and the score the item is worth (default: tool, sword, house). */
  recipes?: Record<string, { needs: Record<string, bigint>; score: bigint }> | undefined
  /** Leaderboard length (default 10). */
  leaderboardSize?: bigint | undefined
}

/** The account holding who stands on a grid cell. */
export function cellAddress(x: bigint, y: bigint): Address {
  return deriveAddress(derivationKey('cell', x, y))
}

/** The account holding the leaderboard. */
export function leaderboardAddress(): Address {
  return deriveAddress(derivationKey('leaderboard'))
}

/** The resource found on a cell when gathering (`gather` gives one). */
export function resourceAt(x: bigint, y: bigint): 'wood' | 'stone' | 'ore' {
  return (['wood', 'stone', 'ore'] as const)[Number((x * 31n + y * 17n) % 3n)]!
}

/**
 * The gaming template's game: players on a grid (one per cell), resources gathered from cells, crafting
 * by recipe, item transfers and a leaderboard. Each player's record holds position, items and score; each
 * cell is its own account (moves to distinct cells run in parallel); the leaderboard is one hot account.
 *
 * @example
 * ```ts
 * const vm = parallelVm({ programs: [nativeToken({ authority }), game({ gridSize: 32n })] })
 * // join at (3, 4): accounts { reads: [], writes: [player, cellAddress(3n, 4n)] }
 * ```
 */
export function game(config: GameConfig = {}): Program {
  const recipes = config.recipes ?? {
    tool: { needs: { wood: 2n, stone: 1n }, score: 10n },
    sword: { needs: { ore: 2n, wood: 1n }, score: 25n },
    house: { needs: { wood: 4n, stone: 4n }, score: 60n },
  }
  const gameConfig: Record<string, ConfigValue> = {
    gridSize: config.gridSize ?? 64n,
    leaderboardSize: config.leaderboardSize ?? 10n,
    recipes: recipes as unknown as ConfigValue,
  }
  return defineProgram({
    id: 'game',
    config: gameConfig,
    methods: {
      join: {
        args: { x: 'uint256', y: 'uint256' },
        run(ctx, args) {
          const size = ctx.config.gridSize as bigint
          ctx.assert(ctx.get(ctx.sender, 'joined') === 0n, 'already joined')
          ctx.assert(args.x < size && args.y < size, 'outside the grid')
          const cell = ctx.derive('cell', args.x, args.y)
          ctx.assert(ctx.get(cell, 'occupant') === 0n, 'cell taken')
          ctx.set(cell, 'occupant', BigInt(ctx.sender))
          ctx.set(ctx.sender, 'joined', 1n)
          ctx.set(ctx.sender, 'x', args.x)
          ctx.set(ctx.sender, 'y', args.y)
          ctx.emit('Joined', ctx.sender, args.x, args.y)
        },
        accounts: (args, sender) => ({ reads: [], writes: [sender, cellAddress(args.x, args.y)] }),
      },
      move: {
        args: { fromX: 'uint256', fromY: 'uint256', toX: 'uint256', toY: 'uint256' },
        run(ctx, args) {
          const size = ctx.config.gridSize as bigint
          ctx.assert(ctx.get(ctx.sender, 'joined') === 1n, 'not a player')
          ctx.assert(
            ctx.get(ctx.sender, 'x') === args.fromX && ctx.get(ctx.sender, 'y') === args.fromY,
            'not standing there',
          )
          ctx.assert(args.toX < size && args.toY < size, 'outside the grid')
          const dx = args.toX > args.fromX ? args.toX - args.fromX : args.fromX - args.toX
          const dy = args.toY > args.fromY ? args.toY - args.fromY : args.fromY - args.toY
          ctx.assert(dx + dy === 1n, 'moves go one cell at a time')
          const to = ctx.derive('cell', args.toX, args.toY)
          ctx.assert(ctx.get(to, 'occupant') === 0n, 'cell taken')
          ctx.set(ctx.derive('cell', args.fromX, args.fromY), 'occupant', 0n)
          ctx.set(to, 'occupant', BigInt(ctx.sender))
          ctx.set(ctx.sender, 'x', args.toX)
          ctx.set(ctx.sender, 'y', args.toY)
          ctx.set(ctx.sender, 'moves', ctx.get(ctx.sender, 'moves') + 1n)
        },
        accounts: (args, sender) => ({
          reads: [],
          writes: [sender, cellAddress(args.fromX, args.fromY), cellAddress(args.toX, args.toY)],
        }),
      },
      gather: {
        args: {},
        run(ctx) {
          ctx.assert(ctx.get(ctx.sender, 'joined') === 1n, 'not a player')
          const x = ctx.get(ctx.sender, 'x')
          const y = ctx.get(ctx.sender, 'y')
          const kind = ['wood', 'stone', 'ore'][Number((x * 31n + y * 17n) % 3n)]
          const key = `item:${kind}`
          ctx.set(ctx.sender, key, ctx.get(ctx.sender, key) + 1n)
          ctx.emit('Gathered', ctx.sender, String(kind))
        },
        accounts: (_, sender) => ({ reads: [], writes: [sender] }),
      },
      craft: {
        args: { item: 'string' },
        run(ctx, args) {
          const recipes = ctx.config.recipes as Record<string, { needs: Record<string, bigint>; score: bigint }>
          const recipe = Object.hasOwn(recipes, args.item) ? recipes[args.item] : undefined
          if (!recipe) return ctx.revert(`no recipe for ${args.item}`)
          for (const [ingredient, n] of Object.entries(recipe.needs)) {
            const have = ctx.get(ctx.sender, `item:${ingredient}`)
            ctx.assert(have >= n, `needs ${n} ${ingredient}, has ${have}`)
            ctx.set(ctx.sender, `item:${ingredient}`, have - n)
          }
          ctx.set(ctx.sender, `item:${args.item}`, ctx.get(ctx.sender, `item:${args.item}`) + 1n)
          ctx.set(ctx.sender, 'score', ctx.get(ctx.sender, 'score') + recipe.score)
          ctx.emit('Crafted', ctx.sender, args.item)
        },
        accounts: (_, sender) => ({ reads: [], writes: [sender] }),
      },
      giveItem: {
        args: { to: 'address', item: 'string', amount: 'uint256' },
        run(ctx, args) {
          ctx.assert(args.to !== ctx.sender, 'cannot give to yourself')
          const key = `item:${args.item}`
          const have = ctx.get(ctx.sender, key)
          ctx.assert(have >= args.amount, `has ${have} ${args.item}`)
          ctx.assert(ctx.get(args.to, 'joined') === 1n, 'recipient is not a player')
          ctx.set(ctx.sender, key, have - args.amount)
          ctx.set(args.to, key, ctx.get(args.to, key) + args.amount)
        },
        accounts: (args, sender) => ({ reads: [], writes: [sender, args.to] }),
      },
      submitScore: {
        args: {},
        run(ctx) {
          const size = ctx.config.leaderboardSize as bigint
          const board = ctx.derive('leaderboard')
          const score = ctx.get(ctx.sender, 'score')
          ctx.assert(score > 0n, 'no score yet')
          const me = BigInt(ctx.sender)
          const mask = (1n << 160n) - 1n
          const entries = []
          for (let i = 0n; i < size; i++) {
            const v = ctx.get(board, `top:${i}`)
            if (v !== 0n && (v & mask) !== me) entries.push(v)
          }
          entries.push((score << 160n) | me)
          // Highest score first; ties by address so the order never depends on arrival.
          entries.sort((a, b) =>
            b >> 160n > a >> 160n ? 1 : b >> 160n < a >> 160n ? -1 : (a & mask) < (b & mask) ? -1 : 1,
          )
          for (let i = 0n; i < size; i++) ctx.set(board, `top:${i}`, entries[Number(i)] ?? 0n)
          ctx.emit('Score', ctx.sender, score)
        },
        accounts: (_, sender) => ({ reads: [], writes: [sender, leaderboardAddress()] }),
      },
    },
  })
}

/** Decodes the leaderboard record (`appchain_getProgramState('game', leaderboardAddress())`). */
export function leaderboardOf(record: ReadonlyMap<string, bigint>): { player: Address; score: bigint }[] {
  const mask = (1n << 160n) - 1n
  const out: { player: Address; score: bigint }[] = []
  for (let i = 0; ; i++) {
    const v = record.get(`top:${i}`)
    if (v === undefined || v === 0n) break
    out.push({ player: `0x${(v & mask).toString(16).padStart(40, '0')}`, score: v >> 160n })
  }
  return out
}
