import type { BindChange, ErrorInfo } from '../core/contracts';
import type { ErrorCode } from '../core/errors';
import type { NextStep } from './type';
export interface Bilingual {
    zh: string;
    en: string;
}
export declare const NEXT_STEP_TEXT: Record<NextStep, Bilingual>;
/** Configuration problems: the user cannot fix them, the developer needs the exact fix. */
export declare const DEVELOPER_HINTS: Partial<Record<ErrorCode, string>>;
export declare function developerHint(error: ErrorInfo): string | null;
export declare function nextStepFor(error: ErrorInfo): NextStep;
export declare function boundMessage(masked: string, change: BindChange): Bilingual;
