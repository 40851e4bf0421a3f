/**
 * The project's CLIs run as a terminal runs them: a child process in a process group of its own (so
 * that Ctrl-C, or a kill, reaches the whole group), stdout and stderr collected together.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { projectPath } from '../../lib/project-paths.js';

const TSX = projectPath('node_modules', '.bin', 'tsx');

export interface CliRun {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; ms: number }>;
}

/**
 * @param script - path from the project root, e.g. `local/main.ts`
 * @param args - its arguments
 */
export function runCli(script: string, args: string[]): CliRun {
  const started = performance.now();
  const child = spawn(TSX, [projectPath(script), ...args], {
    cwd: projectPath(),
    detached: true,
    env: { ...process.env, FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += String(chunk);
  });
  child.stderr?.on('data', (chunk) => {
    output += String(chunk);
  });
  const exited = new Promise<{ code: number | null; ms: number }>((resolve) =>
    child.once('exit', (code) => resolve({ code, ms: performance.now() - started })),
  );
  return { child, output: () => output, exited };
}

/**
 * Polls `check` every 100 ms until it holds; fails after `timeoutMs` naming what it waited for, or as
 * soon as the CLI run given exits first (with its output).
 */
export async function until(
  what: string,
  check: () => boolean,
  timeoutMs: number,
  run?: CliRun,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    if (run && run.child.exitCode !== null && !check()) {
      throw new Error(`exited (code ${run.child.exitCode}) before ${what}:\n${run.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Processes of a process group that still run (zombies left aside), from /proc (Linux). */
export function liveProcessesInGroup(groupId: number): number[] {
  return liveProcesses((stat) => Number(stat.group) === groupId);
}

/**
 * Processes whose command line names `text` (a data dir): those a run started in other process groups
 * too (PostgreSQL's server starts its own), from /proc (Linux).
 */
export function liveProcessesNaming(text: string): number[] {
  return liveProcesses((_, pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text);
    } catch {
      return false; // gone meanwhile
    }
  });
}

function liveProcesses(match: (stat: { group: string }, pid: number) => boolean): number[] {
  const live: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // Fields after "(command)": state, ppid, pgrp, …
    const [state, , group = ''] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (state !== 'Z' && match({ group }, Number(entry))) live.push(Number(entry));
  }
  return live;
}
