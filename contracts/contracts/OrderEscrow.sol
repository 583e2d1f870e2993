// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {AccessControlEnumerable} from "@openzeppelin/contracts/access/extensions/AccessControlEnumerable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IOrderEscrow} from "./IOrderEscrow.sol";

/// @title OrderEscrow
/// @notice Escrow of custom-part orders between consortium companies. A buyer funds an order in an
/// ERC-20 token; each milestone (accepted, produced, QC passed, delivered) carries an amount and a
/// split between the main factory and its subcontractors. A milestone is released when `threshold`
/// of the consortium's attestors (member gateways' keys, managed by governance) have signed an
/// EIP-712 attestation that names the order, the milestone and the Fabric ledger evidence, and a
/// Merkle proof shows the milestone record is in the anchored batch. Unattested milestones are
/// refundable after their deadline; the buyer or a payee may dispute a milestone, and the arbiter
/// splits it. Payments are credited and withdrawn (pull), so a blocked receiver blocks nobody else.
/// @dev Attestations bind the order's funding nonce and the EIP-712 domain (chain id, this
/// contract), and a milestone leaves `Pending` exactly once, so an attestation cannot be replayed.
contract OrderEscrow is IOrderEscrow, AccessControlEnumerable, EIP712, Pausable, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice Manages attestors (role admin of ATTESTOR_ROLE) and the threshold.
    bytes32 public constant GOVERNANCE_ROLE = keccak256("GOVERNANCE_ROLE");
    /// @notice Member gateways' attestation keys.
    bytes32 public constant ATTESTOR_ROLE = keccak256("ATTESTOR_ROLE");
    /// @notice Splits disputed milestones.
    bytes32 public constant ARBITER_ROLE = keccak256("ARBITER_ROLE");
    /// @notice Pauses and unpauses the escrow in emergencies.
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @notice Role of the buyer companies' funding addresses, granted by governance; only they may fund orders,
    /// so nobody outside the consortium can take a ledger order id first.
    bytes32 public constant FUNDER_ROLE = keccak256("FUNDER_ROLE");
    /// @notice EIP-712 type hash of an attestation.
    bytes32 public constant ATTESTATION_TYPEHASH =
        keccak256("Attestation(bytes32 orderId,uint64 nonce,uint8 milestone,bytes32 ledgerTxId,bytes32 anchorRoot,bytes32 recordLeaf)");
    /// @notice Most payees (main factory and subcontractors) of one order.
    uint256 public constant MAX_PAYEES = 8;
    /// @notice Most milestones of one order.
    uint256 public constant MAX_MILESTONES = 16;
    /// @notice 100 % in basis points.
    uint256 public constant BPS = 10_000;

    struct Order {
        address buyer;
        uint64 nonce;
        uint8 milestoneCount;
        IERC20 token;
        uint256 total;
        address[] payees;
    }

    struct Milestone {
        uint128 amount;
        uint64 deadline;
        MilestoneKind kind;
        MilestoneStatus status;
        uint16[MAX_PAYEES] shares;
    }

    mapping(bytes32 orderId => Order) private _orders;
    mapping(bytes32 orderId => mapping(uint256 milestone => Milestone)) private _milestones;
    mapping(bytes32 digest => address[]) private _approvers;
    mapping(bytes32 digest => mapping(address attestor => bool)) private _approved;
    mapping(IERC20 token => mapping(address account => uint256)) private _owed;
    mapping(IERC20 token => uint256) private _held;
    mapping(IERC20 token => uint256) private _owedTotal;
    uint64 private _lastNonce;
    uint256 private _threshold;

    /// @param admin Receives DEFAULT_ADMIN_ROLE, GOVERNANCE_ROLE and PAUSER_ROLE.
    /// @param arbiter Receives ARBITER_ROLE (zero address: none yet).
    /// @param attestors Initial attestors.
    /// @param threshold_ Attestations needed to release a milestone (1..attestors.length).
    constructor(address admin, address arbiter, address[] memory attestors, uint256 threshold_)
        EIP712("ForgeTrace OrderEscrow", "1")
    {
        if (admin == address(0)) revert ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(GOVERNANCE_ROLE, admin);
        _grantRole(PAUSER_ROLE, admin);
        _setRoleAdmin(ATTESTOR_ROLE, GOVERNANCE_ROLE);
        _setRoleAdmin(FUNDER_ROLE, GOVERNANCE_ROLE);
        if (arbiter != address(0)) _grantRole(ARBITER_ROLE, arbiter);
        for (uint256 i = 0; i < attestors.length; ++i) {
            if (attestors[i] == address(0)) revert ZeroAddress();
            _grantRole(ATTESTOR_ROLE, attestors[i]);
        }
        _setThreshold(threshold_);
    }

    // ---------------------------------------------------------------- buyer

    /// @notice Fund the order `ledgerOrderId` of the Fabric ledger: pulls the sum of the milestone amounts
    /// of `token` from the caller, who becomes the order's buyer. The caller must hold FUNDER_ROLE and have
    /// approved this contract for that sum. The escrow id of the order is `keccak256(bytes(ledgerOrderId))`.
    /// @param ledgerOrderId Order id on the Fabric ledger (e.g. `PO-1001`).
    /// @param token ERC-20 token of the payments (no fee-on-transfer or rebasing tokens).
    /// @param payees Main factory first, then its subcontractors (1..MAX_PAYEES, distinct, non-zero).
    /// @param milestones Milestones (1..MAX_MILESTONES), each with shares aligned with `payees`.
    /// @return orderId The escrow id of the order.
    /// @return nonce The order's funding nonce, which attestations must name.
    function fund(string calldata ledgerOrderId, IERC20 token, address[] calldata payees, MilestoneInput[] calldata milestones)
        external
        nonReentrant
        whenNotPaused
        returns (bytes32 orderId, uint64 nonce)
    {
        _checkRole(FUNDER_ROLE);
        orderId = keccak256(bytes(ledgerOrderId));
        if (_orders[orderId].buyer != address(0)) revert OrderAlreadyExists(orderId);
        if (address(token) == address(0)) revert ZeroAddress();
        _checkPayees(payees);
        uint256 count = milestones.length;
        if (count == 0 || count > MAX_MILESTONES) revert InvalidMilestoneCount(count);

        uint256 total = 0;
        for (uint256 i = 0; i < count; ++i) {
            MilestoneInput calldata input = milestones[i];
            if (input.amount == 0) revert ZeroAmount(i);
            if (input.deadline <= block.timestamp) revert DeadlineInPast(i, input.deadline);
            Milestone storage m = _milestones[orderId][i];
            m.amount = input.amount;
            m.deadline = input.deadline;
            m.kind = input.kind;
            m.status = MilestoneStatus.Pending;
            m.shares = _packShares(input.shares, payees.length, i);
            total += input.amount;
        }
        nonce = ++_lastNonce;
        Order storage order = _orders[orderId];
        order.buyer = msg.sender;
        order.nonce = nonce;
        order.milestoneCount = uint8(count);
        order.token = token;
        order.total = total;
        order.payees = payees;
        _held[token] += total;
        emit OrderFunded(orderId, ledgerOrderId, msg.sender, token, total, nonce, count);

        uint256 before = token.balanceOf(address(this));
        token.safeTransferFrom(msg.sender, address(this), total);
        uint256 received = token.balanceOf(address(this)) - before;
        if (received != total) revert UnexpectedTokenAmount(total, received);
    }

    // ---------------------------------------------------------------- attestations

    /// @notice Record one attestor's signature for a milestone (on-chain aggregation). Anyone may
    /// submit it. When `threshold` current attestors have signed the same evidence, the milestone is released.
    /// @param orderId The order.
    /// @param milestone Index of the milestone.
    /// @param evidence Ledger evidence and Merkle proof of the milestone record.
    /// @param signature The attestor's EIP-712 signature of the attestation.
    /// @return released Whether this attestation released the milestone.
    function attest(bytes32 orderId, uint8 milestone, Evidence calldata evidence, bytes calldata signature)
        external
        nonReentrant
        whenNotPaused
        returns (bool released)
    {
        Order storage order = _order(orderId);
        Milestone storage m = _pendingBeforeDeadline(orderId, milestone);
        bytes32 leaf = _verifyEvidence(evidence);
        bytes32 digest = _digest(orderId, order.nonce, milestone, evidence.ledgerTxId, evidence.anchorRoot, leaf);
        address signer = ECDSA.recoverCalldata(digest, signature);
        if (!hasRole(ATTESTOR_ROLE, signer)) revert UnknownAttestor(signer);
        if (_approved[digest][signer]) revert DuplicateAttestor(signer);

        _approved[digest][signer] = true;
        _approvers[digest].push(signer);
        uint256 approvedBy = _currentApprovals(digest);
        emit MilestoneAttested(orderId, milestone, signer, digest, approvedBy);
        if (approvedBy >= _threshold) {
            _release(orderId, order, milestone, m, evidence, leaf);
            released = true;
        }
    }

    /// @notice Release a milestone with `threshold` or more attestations collected off-chain (one transaction).
    /// @param orderId The order.
    /// @param milestone Index of the milestone.
    /// @param evidence Ledger evidence and Merkle proof of the milestone record.
    /// @param signatures EIP-712 signatures of distinct attestors, ordered by ascending signer address.
    function release(bytes32 orderId, uint8 milestone, Evidence calldata evidence, bytes[] calldata signatures)
        external
        nonReentrant
        whenNotPaused
    {
        Order storage order = _order(orderId);
        Milestone storage m = _pendingBeforeDeadline(orderId, milestone);
        uint256 required = _threshold;
        if (signatures.length < required) revert InsufficientAttestations(signatures.length, required);
        bytes32 leaf = _verifyEvidence(evidence);
        bytes32 digest = _digest(orderId, order.nonce, milestone, evidence.ledgerTxId, evidence.anchorRoot, leaf);
        address previous = address(0);
        for (uint256 i = 0; i < signatures.length; ++i) {
            address signer = ECDSA.recoverCalldata(digest, signatures[i]);
            if (!hasRole(ATTESTOR_ROLE, signer)) revert UnknownAttestor(signer);
            if (signer == previous) revert DuplicateAttestor(signer);
            if (signer < previous) revert AttestorsNotSorted(previous, signer);
            previous = signer;
        }
        _release(orderId, order, milestone, m, evidence, leaf);
    }

    // ---------------------------------------------------------------- refunds and disputes

    /// @notice Refund a milestone that was not released by its deadline to the buyer (credited; see {withdraw}).
    /// Anyone may call it.
    /// @param orderId The order.
    /// @param milestone Index of the milestone.
    function refund(bytes32 orderId, uint8 milestone) external nonReentrant whenNotPaused {
        Order storage order = _order(orderId);
        Milestone storage m = _milestone(orderId, milestone);
        if (m.status != MilestoneStatus.Pending) revert MilestoneNotPending(orderId, milestone, m.status);
        if (block.timestamp <= m.deadline) revert MilestoneDeadlineNotReached(orderId, milestone, m.deadline);
        m.status = MilestoneStatus.Refunded;
        uint256 amount = m.amount;
        _held[order.token] -= amount;
        emit MilestoneRefunded(orderId, milestone, amount);
        _credit(order.token, order.buyer, orderId, milestone, amount);
    }

    /// @notice Dispute a pending milestone before its deadline; only the arbiter can settle it then.
    /// @param orderId The order.
    /// @param milestone Index of the milestone.
    function openDispute(bytes32 orderId, uint8 milestone) external nonReentrant whenNotPaused {
        Order storage order = _order(orderId);
        Milestone storage m = _pendingBeforeDeadline(orderId, milestone);
        if (msg.sender != order.buyer && !_isPayee(order, msg.sender)) revert NotAParty(msg.sender);
        m.status = MilestoneStatus.Disputed;
        emit DisputeOpened(orderId, milestone, msg.sender);
    }

    /// @notice Settle a disputed milestone: `buyerBps` of its amount goes back to the buyer, the rest to
    /// the payees by the milestone's split.
    /// @param orderId The order.
    /// @param milestone Index of the milestone.
    /// @param buyerBps Buyer's part in basis points (0..10 000).
    function resolveDispute(bytes32 orderId, uint8 milestone, uint16 buyerBps)
        external
        nonReentrant
        whenNotPaused
        onlyRole(ARBITER_ROLE)
    {
        Order storage order = _order(orderId);
        Milestone storage m = _milestone(orderId, milestone);
        if (m.status != MilestoneStatus.Disputed) revert MilestoneNotDisputed(orderId, milestone, m.status);
        if (buyerBps > BPS) revert InvalidBps(buyerBps);
        m.status = MilestoneStatus.Resolved;
        uint256 amount = m.amount;
        uint256 toBuyer = (amount * buyerBps) / BPS;
        uint256 toPayees = amount - toBuyer;
        _held[order.token] -= amount;
        emit DisputeResolved(orderId, milestone, msg.sender, toBuyer, toPayees);
        if (toBuyer > 0) _credit(order.token, order.buyer, orderId, milestone, toBuyer);
        if (toPayees > 0) _distribute(orderId, order, milestone, m, toPayees);
    }

    // ---------------------------------------------------------------- withdrawals

    /// @notice Withdraw everything credited to the caller in `token`.
    /// @param token The token.
    /// @return amount Amount transferred.
    function withdraw(IERC20 token) external nonReentrant whenNotPaused returns (uint256 amount) {
        amount = _owed[token][msg.sender];
        if (amount == 0) revert NothingToWithdraw(msg.sender, token);
        _owed[token][msg.sender] = 0;
        _owedTotal[token] -= amount;
        emit Withdrawn(msg.sender, token, amount);
        token.safeTransfer(msg.sender, amount);
    }

    // ---------------------------------------------------------------- governance

    /// @notice Set the number of attestations needed to release a milestone.
    /// @param threshold_ New threshold (1..number of attestors).
    function setThreshold(uint256 threshold_) external onlyRole(GOVERNANCE_ROLE) {
        _setThreshold(threshold_);
    }

    /// @notice Stop every state change that moves or commits funds.
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @notice Resume after {pause}.
    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
    }

    // ---------------------------------------------------------------- views

    /// @notice Attestations needed to release a milestone.
    /// @return The threshold.
    function threshold() external view returns (uint256) {
        return _threshold;
    }

    /// @notice Number of current attestors.
    /// @return The count.
    function attestorCount() external view returns (uint256) {
        return getRoleMemberCount(ATTESTOR_ROLE);
    }

    /// @notice An order.
    /// @param orderId The order.
    /// @return view_ Buyer, token, nonce, total, payees and milestone count.
    function getOrder(bytes32 orderId) external view returns (OrderView memory view_) {
        Order storage order = _order(orderId);
        view_ = OrderView(order.buyer, order.token, order.nonce, order.total, order.payees, order.milestoneCount);
    }

    /// @notice A milestone of an order.
    /// @param orderId The order.
    /// @param milestone Index of the milestone.
    /// @return view_ Kind, status, amount, deadline and shares (one per payee).
    function getMilestone(bytes32 orderId, uint8 milestone) external view returns (MilestoneView memory view_) {
        Order storage order = _order(orderId);
        Milestone storage m = _milestone(orderId, milestone);
        uint16[] memory shares = new uint16[](order.payees.length);
        for (uint256 i = 0; i < shares.length; ++i) shares[i] = m.shares[i];
        view_ = MilestoneView(m.kind, m.status, m.amount, m.deadline, shares);
    }

    /// @notice Amount of `token` that `account` can withdraw.
    /// @param token The token.
    /// @param account The account.
    /// @return The amount.
    function owed(IERC20 token, address account) external view returns (uint256) {
        return _owed[token][account];
    }

    /// @notice Escrowed amount of `token`: funded but neither released nor refunded.
    /// @param token The token.
    /// @return The amount.
    function held(IERC20 token) external view returns (uint256) {
        return _held[token];
    }

    /// @notice Credited but not yet withdrawn amount of `token`, over all accounts.
    /// @param token The token.
    /// @return The amount.
    function owedTotal(IERC20 token) external view returns (uint256) {
        return _owedTotal[token];
    }

    /// @notice Escrow id of a ledger order id.
    /// @param ledgerOrderId Order id on the Fabric ledger.
    /// @return The escrow id, `keccak256(bytes(ledgerOrderId))`.
    function orderIdOf(string calldata ledgerOrderId) external pure returns (bytes32) {
        return keccak256(bytes(ledgerOrderId));
    }

    /// @notice The EIP-712 digest attestors sign for a milestone of a funded order.
    /// @param orderId The order.
    /// @param milestone Index of the milestone.
    /// @param ledgerTxId Fabric transaction id of the milestone.
    /// @param anchorRoot Merkle root of the anchor.
    /// @param leaf Merkle leaf of the milestone record ({recordLeaf}).
    /// @return The digest.
    function attestationDigest(bytes32 orderId, uint8 milestone, bytes32 ledgerTxId, bytes32 anchorRoot, bytes32 leaf)
        external
        view
        returns (bytes32)
    {
        return _digest(orderId, _order(orderId).nonce, milestone, ledgerTxId, anchorRoot, leaf);
    }

    /// @notice Current attestors that have attested `digest` through {attest}.
    /// @param digest An attestation digest.
    /// @return The count.
    function approvals(bytes32 digest) external view returns (uint256) {
        return _currentApprovals(digest);
    }

    /// @notice Whether `attestor` has attested `digest` through {attest}.
    /// @param digest An attestation digest.
    /// @param attestor The attestor.
    /// @return True if so.
    function hasAttested(bytes32 digest, address attestor) external view returns (bool) {
        return _approved[digest][attestor];
    }

    /// @notice Merkle leaf of an outbox record, as OpenZeppelin's StandardMerkleTree with `['string','bytes32']` builds it.
    /// @param recordId Outbox record id.
    /// @param payloadHash SHA-256 of the record's canonical JSON.
    /// @return The leaf.
    function recordLeaf(string calldata recordId, bytes32 payloadHash) public pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(recordId, payloadHash))));
    }

    // ---------------------------------------------------------------- internal

    /// @dev Keeps the threshold reachable when an attestor is revoked or renounces.
    function _revokeRole(bytes32 role, address account) internal override returns (bool revoked) {
        revoked = super._revokeRole(role, account);
        if (revoked && role == ATTESTOR_ROLE) {
            uint256 count = getRoleMemberCount(ATTESTOR_ROLE);
            if (count < _threshold) revert InvalidThreshold(_threshold, count);
        }
    }

    function _setThreshold(uint256 threshold_) private {
        uint256 count = getRoleMemberCount(ATTESTOR_ROLE);
        if (threshold_ == 0 || threshold_ > count) revert InvalidThreshold(threshold_, count);
        emit ThresholdChanged(_threshold, threshold_);
        _threshold = threshold_;
    }

    function _order(bytes32 orderId) private view returns (Order storage order) {
        order = _orders[orderId];
        if (order.buyer == address(0)) revert UnknownOrder(orderId);
    }

    function _milestone(bytes32 orderId, uint256 milestone) private view returns (Milestone storage m) {
        m = _milestones[orderId][milestone];
        if (m.status == MilestoneStatus.None) revert UnknownMilestone(orderId, milestone);
    }

    function _pendingBeforeDeadline(bytes32 orderId, uint256 milestone) private view returns (Milestone storage m) {
        m = _milestone(orderId, milestone);
        if (m.status != MilestoneStatus.Pending) revert MilestoneNotPending(orderId, milestone, m.status);
        if (block.timestamp > m.deadline) revert MilestoneDeadlinePassed(orderId, milestone, m.deadline);
    }

    function _verifyEvidence(Evidence calldata evidence) private pure returns (bytes32 leaf) {
        leaf = recordLeaf(evidence.recordId, evidence.payloadHash);
        if (!MerkleProof.verifyCalldata(evidence.proof, evidence.anchorRoot, leaf)) {
            revert InvalidMerkleProof(evidence.anchorRoot, leaf);
        }
    }

    function _digest(bytes32 orderId, uint64 nonce, uint8 milestone, bytes32 ledgerTxId, bytes32 anchorRoot, bytes32 leaf)
        private
        view
        returns (bytes32)
    {
        return _hashTypedDataV4(keccak256(abi.encode(ATTESTATION_TYPEHASH, orderId, nonce, milestone, ledgerTxId, anchorRoot, leaf)));
    }

    function _currentApprovals(bytes32 digest) private view returns (uint256 count) {
        address[] storage approvers = _approvers[digest];
        for (uint256 i = 0; i < approvers.length; ++i) {
            if (hasRole(ATTESTOR_ROLE, approvers[i])) ++count;
        }
    }

    function _release(
        bytes32 orderId,
        Order storage order,
        uint8 milestone,
        Milestone storage m,
        Evidence calldata evidence,
        bytes32 leaf
    ) private {
        m.status = MilestoneStatus.Released;
        uint256 amount = m.amount;
        _held[order.token] -= amount;
        emit MilestoneReleased(orderId, milestone, evidence.ledgerTxId, evidence.anchorRoot, leaf, amount);
        _distribute(orderId, order, milestone, m, amount);
    }

    /// @dev Splits `amount` by the milestone's shares; the rounding remainder goes to the main factory (payee 0).
    function _distribute(bytes32 orderId, Order storage order, uint256 milestone, Milestone storage m, uint256 amount)
        private
    {
        address[] storage payees = order.payees;
        uint16[MAX_PAYEES] memory shares = m.shares;
        uint256 rest = amount;
        for (uint256 i = 1; i < payees.length; ++i) {
            uint256 part = (amount * shares[i]) / BPS;
            rest -= part;
            if (part > 0) _credit(order.token, payees[i], orderId, milestone, part);
        }
        if (rest > 0) _credit(order.token, payees[0], orderId, milestone, rest);
    }

    function _credit(IERC20 token, address account, bytes32 orderId, uint256 milestone, uint256 amount) private {
        _owed[token][account] += amount;
        _owedTotal[token] += amount;
        emit PaymentCredited(account, token, orderId, milestone, amount);
    }

    function _checkPayees(address[] calldata payees) private pure {
        uint256 n = payees.length;
        if (n == 0 || n > MAX_PAYEES) revert InvalidPayeeCount(n);
        for (uint256 i = 0; i < n; ++i) {
            if (payees[i] == address(0)) revert InvalidPayee(payees[i]);
            for (uint256 j = 0; j < i; ++j) {
                if (payees[j] == payees[i]) revert InvalidPayee(payees[i]);
            }
        }
    }

    function _packShares(uint16[] calldata shares, uint256 payeeCount, uint256 milestone)
        private
        pure
        returns (uint16[MAX_PAYEES] memory packed)
    {
        if (shares.length != payeeCount) revert InvalidShares(milestone);
        uint256 sum = 0;
        for (uint256 i = 0; i < payeeCount; ++i) {
            packed[i] = shares[i];
            sum += shares[i];
        }
        if (sum != BPS) revert InvalidShares(milestone);
    }

    function _isPayee(Order storage order, address account) private view returns (bool) {
        address[] storage payees = order.payees;
        for (uint256 i = 0; i < payees.length; ++i) {
            if (payees[i] == account) return true;
        }
        return false;
    }
}
