/**
 * The bounds every commit record must keep, in one place: the producer rejects a row outside them,
 * the processor quarantines such a stream record, and the read API relies on them for its page sizes.
 * Each bound is what a backend can hold, so a record inside them can always be stored and served.
 */
import { languageOf, moduleOf } from './derived-fields.js';

/**
 * Kinesis refuses a partition key over 256 Unicode characters, and the author is the partition key.
 * The same bound keeps a commit id well under PostgreSQL's btree index row limit (~2.7 KB) in the
 * ledger's primary key, whatever its bytes (at most 4 per character in UTF-8).
 */
export const MAX_KEY_CHARS = 256;

/** PATH_MAX on Linux; a suspicious-commit row with such a path still fits the Data API's 64 KB row. */
export const MAX_FILE_PATH_CHARS = 4096;

/**
 * A module (the first two directories) is a key of `group_stats`' primary-key index: 512 characters are
 * at most 2 KB in UTF-8, under the btree row limit with the dimension beside them.
 */
export const MAX_MODULE_CHARS = 512;

/** A language (the file's extension) is a key of the same index; real extensions are a few characters. */
export const MAX_LANGUAGE_CHARS = 64;

/**
 * Most characters of a commit message a stream record carries. The message feeds no aggregate and no
 * table (it is kept in the stream and the archive only), so a longer one does not make its commit
 * invalid: the record carries its first characters and its full length (`messageChars`), see
 * {@link streamMessageOf}. The bound keeps a record small.
 */
export const MAX_MESSAGE_CHARS = 16_384;

/** `lines_added` and `lines_deleted` are `integer` columns of `suspicious_commits`. */
export const MAX_LINES = 2_147_483_647;

/** PostgreSQL timestamps need a four-digit year from 1 to 9999 (year 0 does not exist). */
export const MIN_EVENT_TIME = '0001-01-01T00:00:00.000Z';
export const MAX_EVENT_TIME = '9999-12-31T23:59:59.999Z';

/** A field of a commit that a bound applies to. */
export type BoundedField =
  | 'commitId'
  | 'author'
  | 'filePath'
  | 'message'
  | 'linesAdded'
  | 'linesDeleted'
  | 'eventTime';

export interface BoundViolation {
  field: BoundedField;
  /** Human-readable, e.g. `author has 300 characters; at most 256`. */
  detail: string;
}

/** The fields the bounds speak of; `eventTime` is checked when given (the stream record carries it). */
export interface BoundedCommit {
  commitId: string;
  author: string;
  filePath: string;
  message: string;
  linesAdded: number;
  linesDeleted: number;
  eventTime?: string;
}

const MIN_EVENT_MS = Date.parse(MIN_EVENT_TIME);
const MAX_EVENT_MS = Date.parse(MAX_EVENT_TIME);

/**
 * The first bound a commit breaks, or undefined when it keeps them all. Text must also hold no NUL
 * (PostgreSQL text cannot) and be well-formed UTF-16 (no lone surrogate), so that it has a UTF-8 form
 * every backend accepts. Runs for every commit on both sides of the stream, hence the plain code.
 *
 * @param commit - a parsed commit (a CSV row, or a stream record)
 */
export function boundViolation(commit: BoundedCommit): BoundViolation | undefined {
  const text =
    textViolation('commitId', commit.commitId, MAX_KEY_CHARS) ??
    textViolation('author', commit.author, MAX_KEY_CHARS) ??
    textViolation('filePath', commit.filePath, MAX_FILE_PATH_CHARS) ??
    textViolation('message', commit.message, MAX_MESSAGE_CHARS);
  if (text) return text;
  const module = moduleOf(commit.filePath);
  if (module.length > MAX_MODULE_CHARS) {
    return {
      field: 'filePath',
      detail: `its module has ${module.length} characters; at most ${MAX_MODULE_CHARS}`,
    };
  }
  const language = languageOf(commit.filePath);
  if (language.length > MAX_LANGUAGE_CHARS) {
    return {
      field: 'filePath',
      detail: `its extension has ${language.length} characters; at most ${MAX_LANGUAGE_CHARS}`,
    };
  }
  if (commit.linesAdded > MAX_LINES) {
    return { field: 'linesAdded', detail: `linesAdded is ${commit.linesAdded}; at most ${MAX_LINES}` };
  }
  if (commit.linesDeleted > MAX_LINES) {
    return { field: 'linesDeleted', detail: `linesDeleted is ${commit.linesDeleted}; at most ${MAX_LINES}` };
  }
  const { eventTime } = commit;
  if (eventTime !== undefined) {
    const ms = Date.parse(eventTime);
    if (!(ms >= MIN_EVENT_MS && ms <= MAX_EVENT_MS)) {
      return { field: 'eventTime', detail: `eventTime ${eventTime} is outside years 1 to 9999` };
    }
  }
  return undefined;
}

/** A commit message as a stream record carries it. */
export interface StreamMessage {
  message: string;
  /** The message's length before it was cut; undefined when the message is whole. */
  messageChars: number | undefined;
}

/**
 * The message as the stream record carries it: whole up to {@link MAX_MESSAGE_CHARS} characters,
 * otherwise its first characters up to that bound (one fewer when the bound would split a surrogate
 * pair, so the cut text is still well-formed) with its original length in `messageChars`. Lengths are
 * in UTF-16 code units, as every bound here.
 *
 * @param message - the message as read from the CSV
 * @example streamMessageOf('x'.repeat(20_000)) // { message: 'x'.repeat(16_384), messageChars: 20_000 }
 */
export function streamMessageOf(message: string): StreamMessage {
  if (message.length <= MAX_MESSAGE_CHARS) return { message, messageChars: undefined };
  const last = message.charCodeAt(MAX_MESSAGE_CHARS - 1);
  const end = last >= 0xd800 && last <= 0xdbff ? MAX_MESSAGE_CHARS - 1 : MAX_MESSAGE_CHARS;
  return { message: message.slice(0, end), messageChars: message.length };
}

function textViolation(field: BoundedField, value: string, max: number): BoundViolation | undefined {
  if (value.length > max) return { field, detail: `${field} has ${value.length} characters; at most ${max}` };
  if (value.includes('\0')) return { field, detail: `${field} contains a NUL character` };
  if (!value.isWellFormed()) return { field, detail: `${field} is not well-formed Unicode (lone surrogate)` };
  return undefined;
}
