/**
 * Multi-factory flexible job-shop scheduling core: problem model and validation, benchmark
 * parser, lower bounds (combinatorial + HiGHS LP), hybrid GA/tabu solver, dispatching baseline,
 * rescheduling and the feasibility checker. Pure: no Express or Fabric imports.
 */
export * from './errors';
export * from './model';
export * from './fjsp-parser';
export * from './plan';
export * from './checker';
export * from './decoder';
export * from './lower-bounds';
export * from './dispatching';
export * from './tabu';
export * from './solver';
export * from './reschedule';
export { Rng } from '../common/rng';
