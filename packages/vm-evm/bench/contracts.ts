// Compiles the bench contracts with the solc npm package: OpenZeppelin's ERC20 and a small
// constant-product AMM over two of them (token addresses are constants, so no constructor state).
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { Address, Hex } from '@appchain/core'
import { getAddress } from 'viem'

const require = createRequire(import.meta.url)
const solc = require('solc') as {
  compile(input: string, opts?: { import: (p: string) => { contents: string } | { error: string } }): string
}

function ammSource(token0: Address, token1: Address): string {
  return `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// x*y=k with a 0.3% fee; reserves live in slots 0 and 1.
contract Amm {
    IERC20 constant TOKEN0 = IERC20(${getAddress(token0)});
    IERC20 constant TOKEN1 = IERC20(${getAddress(token1)});
    uint256 public reserve0;
    uint256 public reserve1;

    event Swap(address indexed sender, bool zeroForOne, uint256 amountIn, uint256 amountOut);

    function swap(uint256 amountIn, bool zeroForOne, uint256 minOut) external returns (uint256 amountOut) {
        (IERC20 tin, IERC20 tout, uint256 rin, uint256 rout) =
            zeroForOne ? (TOKEN0, TOKEN1, reserve0, reserve1) : (TOKEN1, TOKEN0, reserve1, reserve0);
        require(tin.transferFrom(msg.sender, address(this), amountIn), "transferFrom");
        uint256 inWithFee = amountIn * 997;
        amountOut = (inWithFee * rout) / (rin * 1000 + inWithFee);
        require(amountOut >= minOut, "slippage");
        require(tout.transfer(msg.sender, amountOut), "transfer");
        if (zeroForOne) {
            reserve0 = rin + amountIn;
            reserve1 = rout - amountOut;
        } else {
            reserve1 = rin + amountIn;
            reserve0 = rout - amountOut;
        }
        emit Swap(msg.sender, zeroForOne, amountIn, amountOut);
    }
}
`
}

const tokenSource = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
contract Token is ERC20 {
    constructor() ERC20("Bench", "BNCH") {}
}
`

/** Runtime bytecode of `Token` (OpenZeppelin ERC20) and of the AMM over `token0`/`token1`. */
export function compileBenchContracts(token0: Address, token1: Address): { token: Hex; amm: Hex } {
  const input = {
    language: 'Solidity',
    sources: { 'Token.sol': { content: tokenSource }, 'Amm.sol': { content: ammSource(token0, token1) } },
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: 'cancun',
      outputSelection: { '*': { '*': ['evm.deployedBytecode.object'] } },
    },
  }
  const out = JSON.parse(
    solc.compile(JSON.stringify(input), {
      import: (p) => {
        try {
          return { contents: readFileSync(require.resolve(p), 'utf8') }
        } catch {
          return { error: `not found: ${p}` }
        }
      },
    }),
  ) as {
    errors?: { severity: string; formattedMessage: string }[]
    contracts: Record<string, Record<string, { evm: { deployedBytecode: { object: string } } }>>
  }
  const errors = (out.errors ?? []).filter((e) => e.severity === 'error')
  if (errors.length) throw new Error(errors.map((e) => e.formattedMessage).join('\n'))
  return {
    token: `0x${out.contracts['Token.sol']!.Token!.evm.deployedBytecode.object}`,
    amm: `0x${out.contracts['Amm.sol']!.Amm!.evm.deployedBytecode.object}`,
  }
}
