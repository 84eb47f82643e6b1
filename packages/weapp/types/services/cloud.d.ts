/**
 * @module services/cloud — the one door to the cloud functions: a typed `callFunction` that never
 * throws. Transport failures (`-404011`, `-504002`, no init, …) and malformed results all become
 * `{ ok:false, error }` with a catalog code, so callers handle one shape.
 */
import type { FunctionContracts, FunctionName, Result } from '../core/contracts';
export type RequestOf<N extends FunctionName> = FunctionContracts[N]['request'];
export type DataOf<N extends FunctionName> = FunctionContracts[N]['data'];
/** Validates `CallFunctionResult.result` (typed `AnyObject | string | undefined`) as a `Result`. */
export declare function parseResult<T>(result: unknown): Result<T>;
/** Calls a phonebind cloud function. Never retries: a request may carry a single-use code. */
export declare function callFunction<N extends FunctionName>(name: N, data: RequestOf<N>): Promise<Result<DataOf<N>>>;
