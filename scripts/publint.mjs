// Runs publint over every published workspace package (those without "private": true).

import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const dirs = ['packages', 'create-appchain']
  .flatMap((d) => (d === 'packages' ? readdirSync(d).map((x) => join(d, x)) : [d]))
  .filter((d) => existsSync(join(d, 'package.json')))
let failed = 0
for (const dir of dirs) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
  if (pkg.private) continue
  try {
    const out = execFileSync('npx', ['publint', dir, '--strict'], { encoding: 'utf8' })
    process.stdout.write(out)
  } catch (e) {
    failed++
    process.stdout.write(e.stdout ?? String(e))
  }
}
process.exit(failed ? 1 : 0)
