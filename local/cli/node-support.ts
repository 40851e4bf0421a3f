/**
 * The AWS SDK warns once per thread and process when Node.js is older than the versions it will
 * require: with the runtime's children and the functions' execution environments, that was twice, in the middle
 * of the progress bar. The CLIs print one notice of their own, first, and silence the SDK's.
 */

/** The oldest Node.js major version the AWS SDK releases after January 2027 will run on. */
export const SDK_MINIMUM_NODE_MAJOR = 22;

/** The SDK's own switch; set in `process.env`, it reaches child processes and worker threads. */
export const SDK_WARNING_SWITCH = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';

/**
 * Prints the notice once (on Node.js older than 22) and turns the SDK's warning off for this process
 * and everything it starts.
 *
 * @param print - where the notice goes (default: stderr)
 * @returns the notice, or undefined on a supported version
 */
export function noticeOldNode(
  version: string = process.version,
  print: (line: string) => void = (line) => console.error(line),
): string | undefined {
  process.env[SDK_WARNING_SWITCH] = 'true';
  const major = Number(/^v?(\d+)/.exec(version)?.[1]);
  if (!(major < SDK_MINIMUM_NODE_MAJOR)) return undefined;
  const notice =
    `Node.js ${version} is past its end of life; it works, but the AWS SDK's releases after January 2027 ` +
    `need Node.js ${SDK_MINIMUM_NODE_MAJOR} or newer. Node.js 22 or 24 is recommended.`;
  print(notice);
  return notice;
}
