/**
 * @forgetrace/cli: the `forgetrace` command-line client of the gateway HTTP API. The binary is
 * `dist/cli.js`; this module exposes the program and its formatters for embedding and tests.
 */
export { buildProgram, processIo, run } from './program';
export { GatewayClient, newIdempotencyKey, type Problem, type Query } from './client';
export { checkProfile, configPath, loadConfig, saveConfig, selectProfile, type CliConfig, type Profile } from './config';
export { Context, type GlobalOptions, type Io } from './context';
export { CLI_ERRORS, CliError, EXIT, type CliErrorCode, type ExitCode } from './errors';
export { gantt, type GanttBar, type GanttRow } from './format/gantt';
export { progressBar } from './format/progress';
export { downsample, sparkline, SPARK_BLOCKS } from './format/sparkline';
export { compact, keyValues, table, truncate, type Cell } from './format/table';
