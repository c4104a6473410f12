// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice Records L2 -> L1 messages (withdrawals). The VM reads `MessagePassed` logs into the block's
/// withdrawals and withdrawalsRoot; the bridge proves and finalizes them on L1.
contract L2ToL1MessagePasser {
    uint256 public messageNonce;
    mapping(bytes32 => bool) public sentMessages;

    event MessagePassed(
        uint256 indexed nonce,
        address indexed sender,
        address indexed target,
        uint256 value,
        uint256 gasLimit,
        bytes data,
        bytes32 withdrawalHash
    );

    receive() external payable {
        initiateWithdrawal(msg.sender, 100_000, "");
    }

    function initiateWithdrawal(address target, uint256 gasLimit, bytes memory data) public payable {
        bytes32 withdrawalHash = keccak256(abi.encode(messageNonce, msg.sender, target, msg.value, gasLimit, data));
        sentMessages[withdrawalHash] = true;
        emit MessagePassed(messageNonce, msg.sender, target, msg.value, gasLimit, data, withdrawalHash);
        unchecked {
            ++messageNonce;
        }
    }
}
