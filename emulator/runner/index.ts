/**
 * @module emulator/runner — runs built cloud-function bundles in warm worker processes with
 * the SCF environment. See README.md.
 */
export { createRunner, scfEnvironment, type Runner, type RunnerOptions, type CallerIdentity, type InvokeOptions } from './runner'
export { createFunctionActions } from './invokeAction'
export { ERR as RUNNER_ERR, MESSAGES as RUNNER_MESSAGES, type InvokeOutcome, type FailureReason } from './outcomes'
export { readFunctionConfig, readFunctionConfigCached, DEFAULT_TIMEOUT_SECONDS, type FunctionConfig } from './functionConfig'
export { type DevRunnerOptions, type ReloadReport } from './devFunctions'
export { FUNCTION_NAME, listFunctionFolders, findFunction, missingDependencies, missingDependenciesMessage, installCommand, type FunctionSource } from './sources'
