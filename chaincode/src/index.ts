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

export * from './api';
