// One-off generator for the initial workspace package manifests.
import { writeFileSync, mkdirSync, existsSync } from 'node:fs'
const pkgs = {
  core: { desc: 'Shared types, errors, codecs, Db and the Vm/GasModel/OrderingPolicy/DaAdapter interfaces of appchain', entries: { index: 'src/index.ts', testing: 'src/testing/index.ts' }, deps: { viem: '^2.38.0', '@noble/hashes': '^2.0.1', level: '^10.0.0' }, dev: {} },
  state: { desc: 'Flat key-value state with checkpoints and an Ethereum-compatible Merkle Patricia Trie commitment', entries: { index: 'src/index.ts' }, deps: { '@appchain/core': '0.0.0', '@noble/hashes': '^2.0.1', viem: '^2.38.0' }, dev: { '@ethereumjs/mpt': '^10.1.3', '@ethereumjs/util': '^10.1.3' } },
  'vm-evm': { desc: 'EVM execution layer for appchain on the @ethereumjs/evm interpreter', entries: { index: 'src/index.ts' }, deps: { '@appchain/core': '0.0.0', '@appchain/state': '0.0.0', '@ethereumjs/evm': '^10.1.3', '@ethereumjs/common': '^10.1.3', '@ethereumjs/util': '^10.1.3', '@noble/curves': '^2.0.1', '@noble/hashes': '^2.0.1', viem: '^2.38.0', secp256k1: '^5.0.1', 'kzg-wasm': '^1.0.0' }, dev: { '@ethereumjs/vm': '^10.1.3', '@ethereumjs/statemanager': '^10.1.3', '@ethereumjs/tx': '^10.1.3', '@ethereumjs/mpt': '^10.1.3', '@ethereumjs/block': '^10.1.3', solc: '^0.8.30', '@openzeppelin/contracts': '^5.4.0', '@types/secp256k1': '^4.0.6' } },
  gas: { desc: 'Gas and fee-model plugins for appchain: eip1559, flatFee, sponsored, rateLimited, localFeeMarkets, withL1DataFee', entries: { index: 'src/index.ts' }, deps: { '@appchain/core': '0.0.0' }, dev: { '@ethereumjs/common': '^10.1.3', '@ethereumjs/block': '^10.1.3' } },
  sequencer: { desc: 'Mempool, ordering policies, block production and preconfirmations for appchain', entries: { index: 'src/index.ts' }, deps: { '@appchain/core': '0.0.0', '@noble/curves': '^2.0.1', '@noble/hashes': '^2.0.1', viem: '^2.38.0' }, dev: {} },
  node: { desc: 'The appchain node: composes VM, gas, sequencer and DA, serves Ethereum JSON-RPC, and ships the appchain CLI', entries: { index: 'src/index.ts', cli: 'src/cli.ts' }, deps: { '@appchain/core': '0.0.0', '@appchain/state': '0.0.0', '@appchain/vm-evm': '0.0.0', '@appchain/gas': '0.0.0', '@appchain/sequencer': '0.0.0', viem: '^2.38.0', ws: '^8.18.0', pino: '^9.7.0', 'pino-pretty': '^13.0.0', 'prom-client': '^15.1.3' }, dev: { ethers: '^6.15.0', '@foundry-rs/anvil': '^1.3.0', solc: '^0.8.30', '@types/ws': '^8.18.1' } },
  'vm-parallel': { desc: 'A Sealevel/Block-STM-style parallel VM for appchain: native TypeScript programs on worker threads', entries: { index: 'src/index.ts' }, deps: { '@appchain/core': '0.0.0', '@appchain/state': '0.0.0', '@noble/hashes': '^2.0.1', '@noble/curves': '^2.0.1', viem: '^2.38.0' }, dev: { 'fast-check': '^4.3.0' } },
  client: { desc: 'viem actions for appchain chains: EIP-712 signed transactions for the non-EVM VMs, program reads, confirmations', entries: { index: 'src/index.ts' }, deps: { '@appchain/core': '0.0.0', viem: '^2.38.0' }, dev: {} },
}
for (const [dir, p] of Object.entries(pkgs)) {
  const exportsMap = {}
  for (const [name, src] of Object.entries(p.entries)) {
    const key = name === 'index' ? '.' : `./${name}`
    exportsMap[key] = { source: `./${src}`, types: `./dist/${name}.d.ts`, import: `./dist/${name}.js` }
  }
  exportsMap['./package.json'] = './package.json'
  const json = {
    name: `@appchain/${dir}`,
    version: '0.0.0',
    description: p.desc,
    license: 'MIT',
    type: 'module',
    sideEffects: false,
    exports: exportsMap,
    main: './dist/index.js',
    types: './dist/index.d.ts',
    files: ['dist', 'src', '!src/**/*.test.ts', '!src/**/*.bench.ts'],
    scripts: {
      build: 'tsup',
      typecheck: 'tsc --noEmit',
    },
    dependencies: p.deps,
    devDependencies: p.dev,
    engines: { node: '>=20' },
  }
  if (dir === 'node') json.bin = { appchain: './dist/cli.js' }
  if (dir === 'vm-evm') json.bin = { 'appchain-state-test': './dist/stateTestCli.js' }
  mkdirSync(`packages/${dir}/src`, { recursive: true })
  writeFileSync(`packages/${dir}/package.json`, JSON.stringify(json, null, 2) + '\n')
  if (!existsSync(`packages/${dir}/tsconfig.json`)) writeFileSync(`packages/${dir}/tsconfig.json`, JSON.stringify({ extends: '../../tsconfig.base.json', include: ['src', 'test', 'bench', 'tsup.config.ts'] }, null, 2) + '\n')
  const entry = Object.fromEntries(Object.entries(p.entries))
  if (!existsSync(`packages/${dir}/tsup.config.ts`)) writeFileSync(`packages/${dir}/tsup.config.ts`, `import { defineConfig } from 'tsup'\nimport { packageConfig } from '../../tsup.config.base.ts'\n\nexport default defineConfig(packageConfig(${JSON.stringify(entry)}))\n`)
}
