/** The ledger port and its embedded adapter. */
export * from './port';
export * from './embedded';
export { FabricLedger, mapGatewayError, type FabricLedgerOptions } from './fabric/fabric-ledger';
export { createGatewayDouble, type GatewayDouble, type GatewayFaults } from './fabric/testing/gateway-double';
