/**
 * A command run to its end from the project root, with its stdout and stderr apart: for command lines
 * whose stdout is data (an event, a function's result) and whose stderr is what a person reads.
 */
import { spawn } from 'node:child_process';
import { projectPath } from '../../lib/project-paths.js';

export interface CommandOutput {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * @param argv - the program and its arguments, e.g. `['npm', 'run', '--silent', 'event', '--', 'api', 'GET', '/']`
 * @param input - written to its stdin (which is closed either way)
 */
export function commandOutput(argv: readonly string[], input = ''): Promise<CommandOutput> {
  const [program = '', ...args] = argv;
  const child = spawn(program, args, { cwd: projectPath(), env: { ...process.env, FORCE_COLOR: '0' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += String(chunk);
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += String(chunk);
  });
  child.stdin.end(input);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `npm run --silent <script> -- <args>`, as a person runs it. */
export const npmScript = (script: string, args: readonly string[], input?: string): Promise<CommandOutput> =>
  commandOutput(['npm', 'run', '--silent', script, '--', ...args], input);
