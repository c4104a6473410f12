import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'

/**
 * Source for an eval'd worker that registers tsx and then imports the TypeScript worker module at `module` (a
 * path or a file URL): `execArgv: ['--import', 'tsx']` does not reach a worker's entry module on Node 20. Run it
 * with `eval: true`, and `execArgv: ['--conditions=source']` for the workspace's imports.
 *
 * @example
 * ```ts
 * new Worker(tsBootstrap(new URL('./myWorker.ts', import.meta.url)), { eval: true, execArgv: ['--conditions=source'] })
 * ```
 */
export function tsBootstrap(module: string | URL): string {
  const cjs = createRequire(import.meta.url).resolve('tsx/esm/api')
  const esm = cjs.replace(/\.cjs$/, '.mjs')
  const api = pathToFileURL(existsSync(esm) ? esm : cjs).href
  const target = module instanceof URL ? module.href : pathToFileURL(module).href
  return `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(target)}) })`
}
