/**
 * @module phonebind/userFile — reading the user's own files (project.config.json, uni-app's
 * manifest.json / pages.json, Taro's config/index.* and package.json) so that a file phonebind
 * cannot use stops the command with one clear line — which file, where (line:column), what is
 * wrong, what to do — instead of a stack trace. {@link UserFileError} is a ProjectError, so the
 * dispatcher (cli.ts; doctor catches its own) prints it and exits 1; its text is built here only.
 */
import { readFileSync } from 'node:fs'
import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser'
import type { JsonObject } from './project'

/**
 * The project cannot be used as it is (no project.config.json, a file phonebind cannot read): the
 * command prints `✘ message` and exits 1. Defined here, beside its file-level kind, so project.ts
 * can read files through this module without an import cycle; project.ts re-exports it.
 */
export class ProjectError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ProjectError'
  }
}

/** Chinese / English for each of jsonc-parser's error codes (printParseErrorCode's names). */
const PARSE_PROBLEMS: Record<ReturnType<typeof printParseErrorCode>, [zh: string, en: string]> = {
  InvalidSymbol: ['无效的符号', 'invalid symbol'],
  InvalidNumberFormat: ['无效的数字', 'invalid number'],
  PropertyNameExpected: ['此处应为带双引号的属性名', 'property name in double quotes expected'],
  ValueExpected: ['此处应为值', 'value expected'],
  ColonExpected: ['此处应为冒号', 'colon expected'],
  CommaExpected: ['此处应为逗号', 'comma expected'],
  CloseBraceExpected: ['缺少 }', 'closing brace expected'],
  CloseBracketExpected: ['缺少 ]', 'closing bracket expected'],
  EndOfFileExpected: ['此处之后不应再有内容', 'end of file expected'],
  InvalidCommentToken: ['此文件不允许注释', 'comments are not allowed in this file'],
  UnexpectedEndOfComment: ['注释没有结束', 'unterminated comment'],
  UnexpectedEndOfString: ['字符串没有结束', 'unterminated string'],
  UnexpectedEndOfNumber: ['数字没有结束', 'unterminated number'],
  InvalidUnicode: ['无效的 Unicode 转义', 'invalid unicode escape'],
  InvalidEscapeCharacter: ['无效的转义字符', 'invalid escape character'],
  InvalidCharacter: ['无效的字符', 'invalid character'],
  '<unknown ParseErrorCode>': ['语法错误', 'syntax error'],
}

const FIX_SYNTAX = '修正后重新运行 / fix it and run again'

/** A user's file phonebind cannot use. `message` is the line every command prints after ✘. */
export class UserFileError extends ProjectError {
  constructor(
    /** Absolute path. */
    readonly file: string,
    /** What is wrong, `中文 / English`. */
    readonly problem: string,
    /** What to do, `中文 / English`. */
    readonly fix: string,
    /** 1-based, when the problem has a place in the file. */
    readonly at?: { line: number; column: number },
  ) {
    super(describe(file, problem, fix, at))
    this.name = 'UserFileError'
  }
}

/**
 * `/abs/src/pages.json:3:5 <problem> → <fix>`: the absolute path (unambiguous from any cwd, and
 * the `file:line:column` form editors and terminals open at the place).
 */
function describe(file: string, problem: string, fix: string, at?: { line: number; column: number }): string {
  return `${file}${at ? `:${at.line}:${at.column}` : ''} ${problem} → ${fix}`
}

/** 1-based line and column of `offset` in `text` (column in UTF-16 units, as editors count). */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset)
  const lastBreak = before.lastIndexOf('\n')
  return { line: before.split('\n').length, column: offset - lastBreak }
}

/** The text of a user's file; an unreadable one (a folder, no permission) is a UserFileError. */
export function readUserText(file: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error'
    throw new UserFileError(file, `无法读取（${code}）/ cannot be read (${code})`, '检查它是可读的文件后重新运行 / make it a readable file and run again')
  }
}

/**
 * A JSON object file. `comments`: JSON with comments and trailing commas (uni-app's manifest.json
 * and pages.json); otherwise strict JSON (project.config.json, package.json). The first syntax
 * error is reported at its line:column; a file whose top level is not an object is reported too.
 */
export function readJsonFile(file: string, opts: { comments: boolean }): JsonObject {
  const text = readUserText(file)
  const errors: ParseError[] = []
  const value = parse(text, errors, { allowTrailingComma: opts.comments, disallowComments: !opts.comments }) as unknown
  const first = errors[0]
  if (first) {
    // A comma before `}` / `]` is the common slip in strict JSON; jsonc-parser names what it expected instead.
    const trailingComma = /,\s*$/.test(text.slice(0, first.offset)) && /^[}\]]/.test(text.slice(first.offset))
    const [zh, en] = trailingComma ? ['多余的逗号（此文件不允许末尾逗号）', 'trailing comma (not allowed in this file)'] : PARSE_PROBLEMS[printParseErrorCode(first.error)]
    throw new UserFileError(file, `无法解析：${zh} / cannot parse: ${en}`, FIX_SYNTAX, lineColumn(text, first.offset))
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new UserFileError(file, '无法使用：顶层不是 JSON 对象 { … } / cannot use: the top level is not a JSON object { … }', FIX_SYNTAX)
  }
  return value as JsonObject
}
