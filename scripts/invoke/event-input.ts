/**
 * The event `npm run invoke` sends: a JSON file, or stdin for `-` (the output of `npm run event`).
 */
import { readFile } from 'node:fs/promises';
import { UsageError } from '../../functions/shared/errors.js';

/**
 * @param source - a file path, or `-` for stdin
 * @param stdin - where `-` reads from
 * @throws UsageError when it cannot be read, is empty, or is not JSON
 */
export async function readEvent(
  source: string,
  stdin: NodeJS.ReadableStream = process.stdin,
): Promise<unknown> {
  const from = source === '-' ? 'stdin' : source;
  let text: string;
  try {
    text = source === '-' ? await readAll(stdin) : await readFile(source, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read the event from ${from}: ${(error as Error).message}`);
  }
  if (text.trim() === '') throw new UsageError(`the event from ${from} is empty`);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`the event from ${from} is not JSON: ${(error as Error).message}`);
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  if ((stream as { isTTY?: boolean }).isTTY) {
    throw new Error(
      'stdin is a terminal: pipe the event in (npm run event -- … | npm run invoke -- … --event -)',
    );
  }
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
