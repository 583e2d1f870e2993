/** Payments: the gateway's side of the OrderEscrow contract (ethers v6 client, attestations, agent, routes). */
export { ATTESTATION_TYPES, ESCROW_DOMAIN, attestationDigest, attestationOf, escrowDomain, escrowOrderId, evidenceFromProof, ledgerTxIdBytes, outboxAnchorId, recordLeaf, type Attestation, type Evidence } from './attestation';
export { ERC20_ABI, contractArtifact, type ContractArtifact } from './escrow-artifacts';
export { EscrowClient, MILESTONE_STATUSES, type EscrowClientOptions, type EscrowEvent, type EscrowMilestone, type EscrowOrder, type FundingPlan, type MilestoneStatus, type SubmittedAttestation, type UnsignedTransaction } from './escrow-client';
export { PAYMENTS_ERRORS, PaymentsError, type PaymentsErrorCode } from './errors';
export { MILESTONE_KINDS, MILESTONE_RECORD_TYPE, milestoneFact, milestoneKindOf, milestoneRecord, partMilestoneEvent, type MilestoneFact, type MilestoneKind, type MilestoneRecord } from './milestones';
export { PaymentsAgent, type AgentAction, type PaymentsAgentOptions } from './payments-agent';
export { escrowStatusJson, fundingBody, paymentsApi, toApiError, type PaymentsApiOptions } from './payments-api';
