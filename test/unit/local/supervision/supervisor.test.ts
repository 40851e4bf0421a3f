/**
 * The supervisor's rules with parts that die on command: restart and announce, the gate while a part
 * is down, the bound on restarts, failures a retry cannot mend, clean-up before a restart, and stop.
 */
import { describe, expect, it } from 'vitest';
import { PartUnavailableError } from '../../../../functions/shared/errors.js';
import type { ChildExit } from '../../../../local/emulators/child-service.js';
import {
  describeSupervisionEvent,
  type PartDefinition,
  type PartProcess,
  type SupervisionEvent,
  Supervisor,
} from '../../../../local/supervision/supervisor.js';

const POLICY = { maxRestarts: 2, windowSeconds: 60, firstDelayMs: 1, maxDelayMs: 4 };

interface FakeProcess extends PartProcess {
  die(exit: ChildExit): void;
}

let nextPid = 1000;

function fakeProcess(): FakeProcess {
  let die: (exit: ChildExit) => void = () => undefined;
  const exited = new Promise<ChildExit>((resolve) => {
    die = resolve;
  });
  return {
    pid: nextPid++,
    exited,
    die,
    stop: async () => die({ code: 0, signal: null }),
  };
}

/** A part whose starts are recorded; `failNext` makes the next starts fail with the given errors. */
function fakePart(name: string) {
  const started: FakeProcess[] = [];
  const failNext: Error[] = [];
  const cleanUps: number[] = [];
  const definition: PartDefinition<FakeProcess> = {
    name,
    async start() {
      const failure = failNext.shift();
      if (failure) throw failure;
      const process = fakeProcess();
      started.push(process);
      return process;
    },
    async afterExit() {
      cleanUps.push(started.length);
    },
  };
  return { definition, started, failNext, cleanUps, current: () => started.at(-1) as FakeProcess };
}

function supervisorWithEvents() {
  const events: SupervisionEvent[] = [];
  let notify: () => void = () => undefined;
  const supervisor = new Supervisor((event) => {
    events.push(event);
    notify();
  }, POLICY);
  const until = (kind: SupervisionEvent['kind'], count = 1) =>
    new Promise<void>((resolve) => {
      notify = () => {
        if (events.filter((event) => event.kind === kind).length >= count) resolve();
      };
      notify();
    });
  return { supervisor, events, until };
}

describe('the supervisor', () => {
  it('starts a part that died again, says which and how, cleans up first, and says it is back', async () => {
    const { supervisor, events, until } = supervisorWithEvents();
    const part = fakePart('S3 emulator');
    const supervised = await supervisor.start(part.definition);
    const first = part.current();

    first.die({ code: null, signal: 'SIGKILL' });
    await until('back');

    expect(part.started).toHaveLength(2);
    expect(supervised.current()).toBe(part.current());
    expect(part.cleanUps).toEqual([1]);
    expect(events.map(describeSupervisionEvent)).toEqual([
      `S3 emulator (pid ${first.pid}) was killed by SIGKILL: restarting it on the same port and data`,
      expect.stringMatching(/^S3 emulator is back after \d+\.\d s$/),
    ]);
    await supervisor.stop();
  });

  it('closes the gate while a part is down and counts the outage', async () => {
    const { supervisor, until } = supervisorWithEvents();
    const part = fakePart('Kinesis server');
    await supervisor.start(part.definition);
    part.failNext.push(new Error('connect ECONNREFUSED'));

    part.current().die({ code: 1, signal: null });
    await until('died');
    const opened = supervisor.whenOpen();

    expect(supervisor.blockedBy()).toBe('Kinesis server');
    expect(supervisor.outages()).toBe(1);
    await opened;
    expect(supervisor.blockedBy()).toBeUndefined();
    await supervisor.stop();
  });

  it('names the process the part said died (PostgreSQL under the database service)', async () => {
    const { supervisor, events, until } = supervisorWithEvents();
    const part = fakePart('database service');
    await supervisor.start(part.definition);

    part
      .current()
      .die({ code: 1, signal: null, reason: { part: 'PostgreSQL', pid: 77, how: 'was killed by SIGKILL' } });
    await until('back');

    expect(events[0]).toEqual({ kind: 'died', part: 'PostgreSQL', pid: 77, how: 'was killed by SIGKILL' });
    expect(events[1]).toMatchObject({ kind: 'back', part: 'PostgreSQL' });
    await supervisor.stop();
  });

  it('gives up on a part that dies more often than the bound within the window, and says what to do', async () => {
    const { supervisor, until } = supervisorWithEvents();
    const part = fakePart('S3 emulator');
    await supervisor.start(part.definition);

    for (let death = 1; death <= POLICY.maxRestarts; death += 1) {
      part.current().die({ code: null, signal: 'SIGKILL' });
      await until('back', death);
    }
    part.current().die({ code: 3, signal: null });
    const error = await supervisor.failed;

    expect(error).toBeInstanceOf(PartUnavailableError);
    expect(error.message).toBe(
      'S3 emulator cannot come back: it ended 3 times within 60 s (the last time: exited with code 3). ' +
        'The runtime stops; fix that and start it again (the data dir keeps the stream, the archive and the database)',
    );
    expect(part.started).toHaveLength(POLICY.maxRestarts + 1);
    expect(supervisor.blockedBy()).toBe('S3 emulator');
    await supervisor.stop();
  });

  it('tries a start that failed for a passing reason again, counting it toward the bound', async () => {
    const { supervisor, events, until } = supervisorWithEvents();
    const part = fakePart('database service');
    await supervisor.start(part.definition);
    part.failNext.push(new PartUnavailableError('pre-existing shared memory block is still in use', true));

    part.current().die({ code: null, signal: 'SIGKILL' });
    await until('back');

    expect(events.map((event) => event.kind)).toEqual(['died', 'retrying', 'back']);
    expect(part.started).toHaveLength(2);
    await supervisor.stop();
  });

  it('gives up at once when the start fails for a reason a retry cannot mend', async () => {
    const { supervisor } = supervisorWithEvents();
    const part = fakePart('S3 emulator');
    await supervisor.start(part.definition);
    part.failNext.push(new PartUnavailableError('port 4567 is taken by another process', false));

    part.current().die({ code: null, signal: 'SIGKILL' });
    const error = await supervisor.failed;

    expect(error.message).toMatch(/^S3 emulator cannot come back: port 4567 is taken by another process\./);
    expect(part.started).toHaveLength(1);
    await supervisor.stop();
  });

  it('restarts nothing once stopping, and stops the parts last started first', async () => {
    const { supervisor, events } = supervisorWithEvents();
    const order: string[] = [];
    const first = fakePart('database service');
    const second = fakePart('Kinesis server');
    await supervisor.start(first.definition);
    await supervisor.start(second.definition);
    for (const [name, part] of [
      ['database service', first],
      ['Kinesis server', second],
    ] as const) {
      const process = part.current();
      const stop = process.stop;
      process.stop = async () => {
        order.push(name);
        await stop();
      };
    }

    await supervisor.stop();

    expect(order).toEqual(['Kinesis server', 'database service']);
    expect(events).toEqual([]);
    expect(first.started).toHaveLength(1);
  });

  it('fails the first start to its caller, without retrying it', async () => {
    const { supervisor, events } = supervisorWithEvents();
    const part = fakePart('S3 emulator');
    part.failNext.push(new PartUnavailableError('port 4567 is taken by another process', false));

    await expect(supervisor.start(part.definition)).rejects.toThrow('port 4567 is taken');
    expect(events).toEqual([]);
  });
});
