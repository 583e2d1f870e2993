// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title IOrderEscrow
/// @notice Types, errors and events of {OrderEscrow}: milestone payments between consortium
/// companies, released by M-of-N EIP-712 attestations that name the Fabric ledger evidence.
interface IOrderEscrow {
    /// @notice What a milestone stands for on the Fabric ledger.
    enum MilestoneKind {
        Accepted,
        Produced,
        QcPassed,
        Delivered
    }

    /// @notice Where a milestone is in its life. `None` means the milestone does not exist.
    enum MilestoneStatus {
        None,
        Pending,
        Disputed,
        Released,
        Refunded,
        Resolved
    }

    /// @notice One milestone as the buyer funds it.
    /// @param kind Ledger event that completes the milestone.
    /// @param amount Token amount paid when the milestone is released.
    /// @param deadline Unix time (seconds) after which an unattested milestone is refundable.
    /// @param shares Basis points per payee of the order (same order and length, sum 10 000).
    struct MilestoneInput {
        MilestoneKind kind;
        uint128 amount;
        uint64 deadline;
        uint16[] shares;
    }

    /// @notice Ledger evidence of a milestone: the Fabric transaction that recorded it, and the
    /// anchored Merkle batch that holds the milestone record `[recordId, payloadHash]`.
    /// @param ledgerTxId Fabric transaction id (64 hex characters as bytes32).
    /// @param anchorRoot Merkle root of the anchor on the Fabric ledger.
    /// @param recordId Outbox record id of the milestone record.
    /// @param payloadHash SHA-256 of the milestone record's canonical JSON.
    /// @param proof Sibling hashes from the record's leaf to `anchorRoot` (OpenZeppelin StandardMerkleTree).
    struct Evidence {
        bytes32 ledgerTxId;
        bytes32 anchorRoot;
        string recordId;
        bytes32 payloadHash;
        bytes32[] proof;
    }

    /// @notice An order as {OrderEscrow-getOrder} returns it.
    struct OrderView {
        address buyer;
        IERC20 token;
        uint64 nonce;
        uint256 total;
        address[] payees;
        uint256 milestoneCount;
    }

    /// @notice A milestone as {OrderEscrow-getMilestone} returns it.
    struct MilestoneView {
        MilestoneKind kind;
        MilestoneStatus status;
        uint128 amount;
        uint64 deadline;
        uint16[] shares;
    }

    /// @notice An address argument was the zero address.
    error ZeroAddress();
    /// @notice `orderId` has been funded before (order ids are never reused).
    error OrderAlreadyExists(bytes32 orderId);
    /// @notice `orderId` was never funded.
    error UnknownOrder(bytes32 orderId);
    /// @notice The order has no milestone `milestone`.
    error UnknownMilestone(bytes32 orderId, uint256 milestone);
    /// @notice An order needs 1 to MAX_PAYEES payees.
    error InvalidPayeeCount(uint256 count);
    /// @notice A payee is the zero address or appears twice.
    error InvalidPayee(address payee);
    /// @notice An order needs 1 to MAX_MILESTONES milestones.
    error InvalidMilestoneCount(uint256 count);
    /// @notice Milestone `milestone` has a zero amount.
    error ZeroAmount(uint256 milestone);
    /// @notice Milestone `milestone`'s deadline is not in the future.
    error DeadlineInPast(uint256 milestone, uint64 deadline);
    /// @notice Milestone `milestone`'s shares do not match the payees or do not add up to 10 000.
    error InvalidShares(uint256 milestone);
    /// @notice The token moved a different amount than requested (fee-on-transfer or rebasing tokens are not supported).
    error UnexpectedTokenAmount(uint256 expected, uint256 received);
    /// @notice The milestone is not in the status the call needs.
    error MilestoneNotPending(bytes32 orderId, uint256 milestone, MilestoneStatus status);
    /// @notice The milestone is not disputed.
    error MilestoneNotDisputed(bytes32 orderId, uint256 milestone, MilestoneStatus status);
    /// @notice The milestone's deadline has passed: it can only be refunded.
    error MilestoneDeadlinePassed(bytes32 orderId, uint256 milestone, uint64 deadline);
    /// @notice The milestone's deadline has not passed yet.
    error MilestoneDeadlineNotReached(bytes32 orderId, uint256 milestone, uint64 deadline);
    /// @notice The Merkle proof does not lead from the record's leaf to the anchor root.
    error InvalidMerkleProof(bytes32 anchorRoot, bytes32 leaf);
    /// @notice The signature was not made by a current attestor.
    error UnknownAttestor(address signer);
    /// @notice The same attestor signed twice.
    error DuplicateAttestor(address attestor);
    /// @notice Signatures must be ordered by strictly ascending signer address.
    error AttestorsNotSorted(address previous, address signer);
    /// @notice Fewer attestations than the threshold.
    error InsufficientAttestations(uint256 given, uint256 required);
    /// @notice The threshold must be between 1 and the number of attestors.
    error InvalidThreshold(uint256 threshold, uint256 attestors);
    /// @notice Only the buyer or a payee of the order may do this.
    error NotAParty(address caller);
    /// @notice Basis points above 10 000.
    error InvalidBps(uint256 bps);
    /// @notice `account` has no balance of `token` to withdraw.
    error NothingToWithdraw(address account, IERC20 token);

    /// @notice A buyer funded the order `ledgerOrderId` (escrow id `orderId`).
    event OrderFunded(bytes32 indexed orderId, string ledgerOrderId, address indexed buyer, IERC20 indexed token, uint256 total, uint64 nonce, uint256 milestoneCount);
    /// @notice An attestor's signature was recorded; `approvals` counts current attestors who signed `digest`.
    event MilestoneAttested(bytes32 indexed orderId, uint256 indexed milestone, address indexed attestor, bytes32 digest, uint256 approvals);
    /// @notice A milestone was released to its payees on the given ledger evidence.
    event MilestoneReleased(bytes32 indexed orderId, uint256 indexed milestone, bytes32 ledgerTxId, bytes32 anchorRoot, bytes32 leaf, uint256 amount);
    /// @notice A milestone not attested by its deadline was refunded to the buyer.
    event MilestoneRefunded(bytes32 indexed orderId, uint256 indexed milestone, uint256 amount);
    /// @notice The buyer or a payee disputed a milestone.
    event DisputeOpened(bytes32 indexed orderId, uint256 indexed milestone, address indexed by);
    /// @notice The arbiter split a disputed milestone between the buyer and the payees.
    event DisputeResolved(bytes32 indexed orderId, uint256 indexed milestone, address indexed arbiter, uint256 toBuyer, uint256 toPayees);
    /// @notice `amount` of `token` became withdrawable by `account`.
    event PaymentCredited(address indexed account, IERC20 indexed token, bytes32 indexed orderId, uint256 milestone, uint256 amount);
    /// @notice `account` withdrew `amount` of `token`.
    event Withdrawn(address indexed account, IERC20 indexed token, uint256 amount);
    /// @notice The attestation threshold changed.
    event ThresholdChanged(uint256 previous, uint256 current);
}
