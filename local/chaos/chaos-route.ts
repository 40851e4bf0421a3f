/**
 * `/_local/chaos` on the runtime's front: GET answers the rules, the seed and the faults injected so
 * far; PUT replaces the rules with a new spec, as JSON (`{"spec": "…"}`) or as plain text.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { Chaos } from './chaos.js';
import { ChaosSpecError, chaosGrammar } from './chaos-spec.js';

/** Where the front serves the chaos controls: outside every route of the api. */
export const LOCAL_CHAOS_PATH = '/_local/chaos';

/**
 * @param event - a request to {@link LOCAL_CHAOS_PATH}
 * @param chaos - the runtime's chaos, or undefined when it started without `--chaos`
 */
export function chaosResponse(event: APIGatewayProxyEvent, chaos: Chaos | undefined): APIGatewayProxyResult {
  if (event.httpMethod === 'GET') return localJson(200, chaos?.status() ?? { enabled: false });
  if (event.httpMethod !== 'PUT') {
    return localJson(405, { error: 'MethodNotAllowed', message: `${LOCAL_CHAOS_PATH} takes GET and PUT` });
  }
  if (!chaos) {
    return localJson(409, {
      error: 'Conflict',
      message:
        'chaos is off in this runtime: start it with npm start -- --chaos <spec> to change faults while it runs',
    });
  }
  try {
    chaos.replace(specOf(event.body ?? ''));
    return localJson(200, chaos.status());
  } catch (error) {
    if (!(error instanceof ChaosSpecError)) throw error;
    return localJson(400, { error: 'BadRequest', message: error.problem, grammar: chaosGrammar() });
  }
}

/** The spec of a PUT body: `{"spec": "…"}`, or the body itself as text. */
function specOf(body: string): string {
  if (!body.trimStart().startsWith('{')) return body;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new ChaosSpecError('the body is neither a spec nor JSON of the form {"spec": "<spec>"}');
  }
  const spec = (parsed as { spec?: unknown }).spec;
  if (typeof spec !== 'string') throw new ChaosSpecError('the JSON body has no "spec" string');
  return spec;
}

/** A JSON answer of the runtime's own routes (`/_local/…`), never cached. */
export function localJson(statusCode: number, body: unknown): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    body: JSON.stringify(body),
  };
}
