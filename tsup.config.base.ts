import type { Options } from 'tsup'

/**
 * Shared tsup settings for every package: ESM only, declarations, sourcemaps.
 * Each package passes its own entry points.
 */
export function packageConfig(entry: Record<string, string>, overrides: Options = {}): Options {
  return {
    entry,
    format: ['esm'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    splitting: true,
    treeshake: true,
    ...overrides,
  }
}
