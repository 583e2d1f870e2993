/** Entry point of the probe chaincode package (package.json `main`). */
import { ProbeContract } from './probe-contract';

export { ProbeContract } from './probe-contract';
export const contracts = [ProbeContract];
