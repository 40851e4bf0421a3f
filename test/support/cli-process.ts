/**
 * The project's CLIs run as a person runs them: `npm start` (what its script runs, `node --import tsx
 * local/main.ts`) in a process group of its own, as a terminal runs it, so that a test can send the
 * group a terminal's signals; its output collected; every process it ever started noted, so that a
 * test can check that none outlived it.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { projectPath } from '../../lib/project-paths.js';

export interface CliRun {
  readonly child: ChildProcess;
  readonly pid: number;
  /** stdout and stderr so far, interleaved as they came. */
  output(): string;
  /** Resolves with the exit code (or the signal) once the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once the output matches, rejects on exit or at the timeout (with the output so far). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Sends a signal to the whole process group, as a terminal does (Ctrl-C, a closed terminal). */
  signalGroup(signal: NodeJS.Signals): void;
  /** Every process seen below this one (it included), at any time since it started. */
  descendants(): ProcessSet;
  /** Kills the group and every descendant seen (cleanup after a failed test). */
  killAll(): void;
}

/**
 * Runs a TypeScript entry of the project the way its npm script does.
 *
 * @param script - e.g. `local/main.ts`
 * @param args - its arguments
 * @param command - `['npm', 'start', '--']` to go through npm itself instead
 */
export function runCli(script: string, args: string[], command?: string[]): CliRun {
  const [program = '', ...programArgs] = command ?? [
    process.execPath,
    '--import',
    'tsx',
    projectPath(script),
  ];
  const child = spawn(program, [...programArgs, ...args], {
    cwd: projectPath(),
    detached: true,
    env: { ...process.env, FORCE_COLOR: '0', AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid ?? 0;
  let output = '';
  const listeners = new Set<() => void>();
  const collect = (chunk: Buffer) => {
    output += String(chunk);
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const seen = new Map<number, string>();
  const note = () => {
    for (const [descendant, started] of descendantsOf(pid, seen)) seen.set(descendant, started);
  };
  note();
  const watch = setInterval(note, 100);
  void exited.then(() => clearInterval(watch));

  return {
    child,
    pid,
    output: () => output,
    exited,
    waitFor(pattern, timeoutMs = 120_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(output);
          if (match) done(() => resolve(match));
        };
        const timer = setTimeout(
          () => done(() => reject(new Error(`timed out waiting for ${pattern}; output:\n${output}`))),
          timeoutMs,
        );
        const done = (settle: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          settle();
        };
        void exited.then(() =>
          setTimeout(() => done(() => reject(new Error(`exited before ${pattern}; output:\n${output}`))), 50),
        );
        listeners.add(check);
        check();
      });
    },
    signalGroup(signal) {
      process.kill(-pid, signal);
    },
    descendants: () => seen,
    killAll() {
      for (const descendant of stillRunning(seen)) {
        try {
          process.kill(descendant, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    },
  };
}

/** Processes by pid, each with its start time: a pid given to another process since is not it. */
export type ProcessSet = ReadonlyMap<number, string>;

interface ProcessRow {
  ppid: number;
  /** When it started (`ps`'s lstart), which tells a process from a later one with its pid. */
  started: string;
  zombie: boolean;
}

/**
 * The processes below `root` now, found through their parents; `known` ones count as roots too, so
 * that a process whose parent died (a postmaster left behind) is still followed.
 */
function descendantsOf(root: number, known: ProcessSet): Map<number, string> {
  const table = processTable();
  const found = new Map<number, string>();
  const rootRow = table.get(root);
  if (rootRow) found.set(root, rootRow.started);
  for (const [pid, started] of known) if (table.get(pid)?.started === started) found.set(pid, started);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, row] of table) {
      if (!found.has(pid) && found.has(row.ppid)) {
        found.set(pid, row.started);
        grew = true;
      }
    }
  }
  return found;
}

function processTable(): Map<number, ProcessRow> {
  const table = new Map<number, ProcessRow>();
  const text = execFileSync('ps', ['-eo', 'pid=,ppid=,stat=,lstart='], { encoding: 'utf8' });
  for (const line of text.split('\n')) {
    const [pid, ppid, stat = '', ...started] = line.trim().split(/\s+/);
    if (pid && ppid)
      table.set(Number(pid), {
        ppid: Number(ppid),
        started: started.join(' '),
        zombie: stat.startsWith('Z'),
      });
  }
  return table;
}

/** The processes of the set that still run (zombies count as gone). */
export function stillRunning(processes: ProcessSet): number[] {
  const table = processTable();
  return [...processes]
    .filter(([pid, started]) => {
      const row = table.get(pid);
      return row !== undefined && row.started === started && !row.zombie;
    })
    .map(([pid]) => pid);
}

/** The postgres processes (postmaster and backends) started on a cluster folder. */
export function postgresProcessesOf(clusterDir: string): number[] {
  const text = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return text
    .split('\n')
    .filter((line) => line.includes('postgres') && line.includes(` -D ${clusterDir} `))
    .map((line) => Number(line.trim().split(/\s+/)[0]));
}

/**
 * Resolves once `check` is true, polling every 100 ms.
 *
 * @throws after `timeoutMs`, naming `what`
 */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
