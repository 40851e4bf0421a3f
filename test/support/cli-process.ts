/**
 * The project's CLIs run as a person runs them: what the npm script runs (`node --import tsx <entry>`),
 * in a process group of its own as a terminal runs it, so that a test can send the group a terminal's
 * signals (Ctrl-C, a closed terminal) or kill it whole; stdout and stderr collected together; every
 * process it ever started noted, so that a test can check that none outlived it. Processes are read
 * from /proc (Linux).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { projectPath } from '../../lib/project-paths.js';

/** Processes by pid, each with its start time: a pid given to another process since is not it. */
export type ProcessSet = ReadonlyMap<number, string>;

export interface CliRun {
  readonly child: ChildProcess;
  readonly pid: number;
  /** stdout and stderr so far, interleaved as they came. */
  output(): string;
  /** Resolves once the process has exited: its code (or signal), and how long it ran. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
  /** Resolves once the output matches, rejects on exit or at the timeout (with the output so far). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Sends a signal to the whole process group, as a terminal does. */
  signalGroup(signal: NodeJS.Signals): void;
  /** Every process seen below this one (it included), at any time since it started. */
  descendants(): ProcessSet;
  /** Kills every process seen that still runs (cleanup after a failed test). */
  killAll(): void;
}

/**
 * Runs a TypeScript entry of the project the way its npm script does.
 *
 * @param script - path from the project root, e.g. `local/main.ts`
 * @param args - its arguments
 * @param command - e.g. `['npm', 'start', '--']` to go through npm itself instead
 */
export function runCli(script: string, args: string[], command?: string[]): CliRun {
  const started = performance.now();
  const [program = '', ...programArgs] = command ?? [
    process.execPath,
    '--import',
    'tsx',
    projectPath(script),
  ];
  const child = spawn(program, [...programArgs, ...args], {
    cwd: projectPath(),
    detached: true,
    env: { ...process.env, FORCE_COLOR: '0' },
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
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, ms: performance.now() - started })),
  );
  const seen = new Map<number, string>();
  const note = () => {
    for (const [descendant, start] of descendantsOf(pid, seen)) seen.set(descendant, start);
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
          // gone meanwhile
        }
      }
    },
  };
}

/**
 * Polls `check` every 100 ms until it holds; fails after `timeoutMs` naming what it waited for, or as
 * soon as the CLI run given exits first (with its output).
 */
export async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  run?: CliRun,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    if (run && run.child.exitCode !== null && !(await check())) {
      throw new Error(`exited (code ${run.child.exitCode}) before ${what}:\n${run.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The processes of the set that still run (zombies count as gone). */
export function stillRunning(processes: ProcessSet): number[] {
  const table = processTable();
  return [...processes]
    .filter(([pid, start]) => {
      const row = table.get(pid);
      return row !== undefined && row.start === start && !row.zombie;
    })
    .map(([pid]) => pid);
}

/** Processes of a process group that still run (zombies left aside). */
export function liveProcessesInGroup(groupId: number): number[] {
  return [...processTable()].filter(([, row]) => row.group === groupId && !row.zombie).map(([pid]) => pid);
}

/** Processes whose command line names `text` (a data dir), whatever their group (zombies left aside). */
export function liveProcessesNaming(text: string): number[] {
  return [...processTable()]
    .filter(([pid, row]) => !row.zombie && pid !== process.pid && commandLineOf(pid).includes(text))
    .map(([pid]) => pid);
}

/** The postmaster (or postmasters) started on a cluster folder. */
export function postmastersOf(clusterDir: string): number[] {
  return [...processTable()]
    .filter(([pid, row]) => !row.zombie && row.name === 'postgres' && commandLineOf(pid).includes(clusterDir))
    .map(([pid]) => pid);
}

interface ProcessRow {
  name: string;
  parent: number;
  group: number;
  zombie: boolean;
  /** Its start time since boot (clock ticks): tells a process from a later one with its pid. */
  start: string;
}

/**
 * The processes below `root` now, found through their parents; `known` ones count as roots too, so
 * that a process whose parent died (a postmaster left behind) is still followed.
 */
function descendantsOf(root: number, known: ProcessSet): Map<number, string> {
  const table = processTable();
  const found = new Map<number, string>();
  const rootRow = table.get(root);
  if (rootRow) found.set(root, rootRow.start);
  for (const [pid, start] of known) if (table.get(pid)?.start === start) found.set(pid, start);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, row] of table) {
      if (!found.has(pid) && found.has(row.parent)) {
        found.set(pid, row.start);
        grew = true;
      }
    }
  }
  return found;
}

function processTable(): Map<number, ProcessRow> {
  const table = new Map<number, ProcessRow>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // "pid (name) state ppid pgrp … starttime (field 22)"; the name may hold spaces and parentheses.
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    table.set(Number(entry), {
      name,
      zombie: fields[0] === 'Z',
      parent: Number(fields[1]),
      group: Number(fields[2]),
      start: fields[19] ?? '',
    });
  }
  return table;
}

/** A process's name (`/proc/<pid>/comm`; it stays while the process exits, when its command line is empty). */
export function processNameOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

function commandLineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return ''; // gone meanwhile
  }
}
