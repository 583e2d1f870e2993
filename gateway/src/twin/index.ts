/**
 * Digital twins of machines: state-space models, extended Kalman filtering, anomaly detection,
 * wear prediction, a machine simulator, the telemetry path (MQTT, HTTP, edge agents), ledger
 * snapshots and the REST routes. See README.md.
 */
export { TWIN_ERRORS, TwinError, type TwinErrorCode } from './errors';
export { IDLE, type OperatingInput, type TwinModel, type WearSpec, type NoiseOverrides } from './model';
export { modelById, MODEL_IDS, cncSpindleModel, amPrinterModel, linearModel, CNC_SPINDLE_DEFAULTS, AM_PRINTER_DEFAULTS } from './models';
export { ExtendedKalmanFilter, type UpdateResult } from './ekf';
export { AnomalyDetector, type AnomalyEvent, type AnomalyOptions, type AnomalyReason } from './anomaly';
export { MachineTwin, type TwinSample, type TwinEstimate, type IngestOutcome, type MachineTwinOptions, type TwinCheckpoint } from './machine-twin';
export { remainingUsefulLife, whatIf, predictedDowntime, type RulPrediction, type WhatIfResult, type DowntimeWindow } from './rul';
export { downtimeToUnavailability, withPredictedDowntime, type SchedulerClock } from './availability';
export { MachineSimulator, randomOperations, FAULT_KINDS, type FaultKind, type FaultSpec, type OperationSegment, type SimulatorOptions } from './simulator';
export { runFleet, DEFAULT_FAULT_SIZES, type FleetOptions, type FleetResult } from './fleet';
export { scoreDetections, RmseAccumulator } from './evaluation';
export { chiSquareQuantile, chiSquareCdf } from './chi-square';
export { decodeTelemetry, encodeTelemetry, parseTelemetryTopic, telemetryTopic, TELEMETRY_FILTER, telemetrySampleSchema, telemetryBatchSchema, type TelemetrySample } from './telemetry';
export { TwinService, type TwinServiceOptions, type OfferResult, type TwinPredictions, type TwinServiceCheckpoint } from './twin-service';
export { TwinStateStore } from './twin-state-store';
export { openTwinFeature, type TwinFeature, type TwinFeatureOptions } from './twin-feature';
export { publishSimulation, type PublishOptions } from './simulator-publisher';
export { SnapshotRecorder, buildSnapshot, type SnapshotPolicy, type FullSnapshot, type StoredSnapshot } from './snapshots';
export { TelemetryWindows, verifySampleProof, type SampleProof, type TelemetryWindow } from './telemetry-windows';
export { MqttIngest, connectMqtt, type MqttIngestOptions } from './mqtt-ingest';
export { twinApi, type TwinApiDeps } from './twin-api';
export { EdgeAgent, httpTransport, type EdgeAgentOptions, type EdgeTransport } from './edge/edge-agent';
export { EdgeReceiver, type EdgeReceiverOptions } from './edge/edge-receiver';
export { signEnvelope, verifyEnvelope, type EdgeEnvelope, type EdgeRecord } from './edge/envelope';
