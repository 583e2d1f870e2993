// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title ReentrantToken
/// @notice Test-only ERC-20 that, once armed, calls back into a target during its next transfer,
/// the way a malicious or hook-bearing token could. The callback's revert is bubbled up.
contract ReentrantToken is ERC20 {
    address private _target;
    bytes private _data;

    constructor() ERC20("Reentrant", "REE") {}

    /// @notice Mint `amount` to `to`.
    /// @param to Receiver.
    /// @param amount Amount.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Call `target` with `data` during the next transfer.
    /// @param target Contract to call back.
    /// @param data Calldata of the callback.
    function arm(address target, bytes calldata data) external {
        _target = target;
        _data = data;
    }

    function _update(address from, address to, uint256 value) internal override {
        address target = _target;
        if (target != address(0) && from != address(0) && to != address(0)) {
            _target = address(0);
            (bool ok, bytes memory reason) = target.call(_data);
            if (!ok) {
                assembly ("memory-safe") {
                    revert(add(reason, 0x20), mload(reason))
                }
            }
        }
        super._update(from, to, value);
    }
}
