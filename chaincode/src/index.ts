/**
 * ForgeTrace chaincode. A Fabric peer loads `contracts` from this module (fabric-chaincode-node);
 * the gateway and clients import the record types, event names and error helpers.
 */
import { AnchorsContract } from './contracts/anchors';
import { JobsContract } from './contracts/jobs';
import { MachinesContract } from './contracts/machines';
import { OrdersContract } from './contracts/orders';
import { RegistryContract } from './contracts/registry';
import { TraceContract } from './contracts/trace';
import { TwinsContract } from './contracts/twins';

export { AnchorsContract, JobsContract, MachinesContract, OrdersContract, RegistryContract, TraceContract, TwinsContract };

/** The contracts the peer registers, one namespace each (`registry:RegisterMember`, …). */
export const contracts = [RegistryContract, MachinesContract, OrdersContract, JobsContract, TwinsContract, AnchorsContract, TraceContract];

export * from './errors';
export * from './types';
export { canonicalJson } from './internal/canonical';
export { buildCollectionsConfig, termsCollection, type CollectionConfig } from './internal/collections';
export { USER_ROLES, type UserRole } from './internal/tx';
export { TERMS_TRANSIENT_KEY } from './contracts/orders';
export { PART_TRANSITIONS, canTransition } from './rules/part-state';
export { MAX_ARG_BYTES, MAX_ORDER_QUANTITY } from './schemas';
