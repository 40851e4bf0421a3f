// Lambda bootstrap for the LocalStack "process" runtime executor.
//
// Plain Node.js ESM, no dependencies. One process = one execution environment.
// It speaks LocalStack's init protocol (the one the Go "lambda-runtime-init" speaks inside the
// Docker executor's containers):
//
//   LocalStack --POST /invoke {invoke-id, invoked-function-arn, payload, trace-id}--> this server
//   this process --POST <LOCALSTACK_RUNTIME_ENDPOINT>/status/<LOCALSTACK_RUNTIME_ID>/ready|error-->
//   this process --POST <LOCALSTACK_RUNTIME_ENDPOINT>/invocations/<invoke-id>/logs {"logs": "..."}-->
//   this process --POST <LOCALSTACK_RUNTIME_ENDPOINT>/invocations/<invoke-id>/response|error-->
//
// Environment (set by the executor; LocalStack's own variables are passed through):
//   LOCALSTACK_INTEROP_PORT   port to listen on (127.0.0.1), default 9563
//   LOCALSTACK_RUNTIME_ENDPOINT, LOCALSTACK_RUNTIME_ID   callback base URL and environment id
//   _HANDLER, LAMBDA_TASK_ROOT  handler "path/file.export" relative to the code directory
//   AWS_LAMBDA_FUNCTION_TIMEOUT (s), AWS_LAMBDA_FUNCTION_MEMORY_SIZE (MB), ...
//   LSPE_CONTROL_FD            optional: fd of a pipe to the executor; "restart\n" is written there
//                              (synchronously, before the final callback) when this process must
//                              not serve another invoke (timeout, uncaught exception).
//
// Exit codes: 98 = port in use (the executor retries with another port), 1 = init error,
// 129 = uncaught exception, 128 = unhandled rejection, 124 = timed out (after reporting it).

import fs from 'node:fs';
import http from 'node:http';
import module, { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import util from 'node:util';

// Keep references to everything we need before user code can monkey-patch it
// (X-Ray, nock, OpenTelemetry and friends patch http.request and globals).
const httpRequest = http.request;
const originalStdoutWrite = process.stdout.write.bind(process.stdout);
const originalStderrWrite = process.stderr.write.bind(process.stderr);
const nativeSetTimeout = globalThis.setTimeout;
const nativeClearTimeout = globalThis.clearTimeout;
const jsonStringify = JSON.stringify;

const EXIT_PORT_IN_USE = 98;
const EXIT_INIT_ERROR = 1;
const EXIT_UNCAUGHT = 129;
const EXIT_UNHANDLED_REJECTION = 128;
const EXIT_TIMEOUT = 124;

// ---------------------------------------------------------------------------------------------
// Configuration (read once, then the internal variables are removed from the user's process.env)
// ---------------------------------------------------------------------------------------------
const env = process.env;
const config = {
  port: Number.parseInt(env.LOCALSTACK_INTEROP_PORT || '9563', 10),
  runtimeEndpoint: (env.LOCALSTACK_RUNTIME_ENDPOINT || '').replace(/\/+$/, ''),
  runtimeId: env.LOCALSTACK_RUNTIME_ID || '',
  handler: env._HANDLER || '',
  taskRoot: env.LAMBDA_TASK_ROOT || process.cwd(),
  timeoutSec: Number.parseFloat(env.AWS_LAMBDA_FUNCTION_TIMEOUT || '3'),
  memoryMb: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE || '128',
  functionName: env.AWS_LAMBDA_FUNCTION_NAME || '',
  functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION || '$LATEST',
  logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME || '',
  logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME || '',
  logFormat: (env.AWS_LAMBDA_LOG_FORMAT || 'Text').toUpperCase() === 'JSON' ? 'JSON' : 'TEXT',
  logLevel: (env.AWS_LAMBDA_LOG_LEVEL || '').toUpperCase(),
  postInvokeWaitMs: Number.parseInt(env.LOCALSTACK_POST_INVOKE_WAIT_MS || '0', 10) || 0,
  maxPayloadSize: Number.parseInt(env.LOCALSTACK_MAX_PAYLOAD_SIZE || '6291556', 10) || 6291556,
  controlFd: env.LSPE_CONTROL_FD ? Number.parseInt(env.LSPE_CONTROL_FD, 10) : null,
};
for (const name of [
  'LOCALSTACK_INTEROP_PORT',
  'LOCALSTACK_RUNTIME_ENDPOINT',
  'LOCALSTACK_RUNTIME_ID',
  'LOCALSTACK_POST_INVOKE_WAIT_MS',
  'LOCALSTACK_MAX_PAYLOAD_SIZE',
  'LOCALSTACK_INIT_LOG_LEVEL',
  'LOCALSTACK_USER',
  'LSPE_CONTROL_FD',
]) {
  delete env[name];
}

// ---------------------------------------------------------------------------------------------
// Log capture: everything written to stdout/stderr is still written to the real streams (the
// executor keeps them for get_logs()) and is also collected for the next logs callback.
// ---------------------------------------------------------------------------------------------
let logBuffer = [];
let currentRequestId; // undefined outside an invoke, like the AWS runtime prints it

function capture(chunk, encoding) {
  if (typeof chunk === 'string') logBuffer.push(chunk);
  else if (chunk)
    logBuffer.push(Buffer.from(chunk).toString(typeof encoding === 'string' ? encoding : 'utf8'));
}
process.stdout.write = (chunk, encoding, cb) => {
  capture(chunk, encoding);
  return originalStdoutWrite(chunk, encoding, cb);
};
process.stderr.write = (chunk, encoding, cb) => {
  capture(chunk, encoding);
  return originalStderrWrite(chunk, encoding, cb);
};
function takeLogs() {
  const text = logBuffer.join('');
  logBuffer = [];
  return text;
}
/** A line that belongs to the platform (START/END/REPORT): into the logs and onto stdout. */
function platformLine(line) {
  process.stdout.write(`${line}\n`);
}

// console.* formatted like the AWS Node.js runtime (text: "time\trequestId\tLEVEL\tmessage",
// JSON when the function's LoggingConfig.LogFormat is JSON).
const LEVELS = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4, FATAL: 5 };
function consoleLine(level, args) {
  if (config.logFormat === 'JSON') {
    if (config.logLevel in LEVELS && LEVELS[level] < LEVELS[config.logLevel]) return;
    const record = { timestamp: new Date().toISOString(), level, requestId: currentRequestId };
    const [first] = args;
    if (args.length === 1 && first instanceof Error) {
      record.message = first.message;
      record.errorType = first.name;
      record.errorMessage = first.message;
      record.stackTrace = String(first.stack || '').split('\n');
    } else {
      record.message = util.format(...args);
    }
    process.stdout.write(`${safeStringify(record)}\n`);
    return;
  }
  process.stdout.write(
    `${new Date().toISOString()}\t${currentRequestId}\t${level}\t${util.format(...args)}\n`,
  );
}
console.log = (...args) => consoleLine('INFO', args);
console.info = (...args) => consoleLine('INFO', args);
console.warn = (...args) => consoleLine('WARN', args);
console.error = (...args) => consoleLine('ERROR', args);
console.debug = (...args) => consoleLine('DEBUG', args);
console.trace = (...args) => {
  const stack = new Error().stack.split('\n').slice(2).join('\n');
  consoleLine('TRACE', [`${util.format(...args)}\n${stack}`]);
};
console.fatal = (...args) => consoleLine('FATAL', args);

function safeStringify(value) {
  try {
    return jsonStringify(value);
  } catch {
    return jsonStringify(String(value));
  }
}

// ---------------------------------------------------------------------------------------------
// Callbacks to LocalStack
// ---------------------------------------------------------------------------------------------
function post(urlPath, body, contentType = 'application/json') {
  const url = new URL(`${config.runtimeEndpoint}${urlPath}`);
  const data = Buffer.from(body ?? '', 'utf8');
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        hostname: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: 'POST',
        headers: { 'Content-Type': contentType, 'Content-Length': data.length },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

async function postSafely(urlPath, body) {
  try {
    const status = await post(urlPath, body);
    if (status >= 400) originalStderrWrite(`[bootstrap] callback ${urlPath} answered HTTP ${status}\n`);
  } catch (e) {
    originalStderrWrite(`[bootstrap] callback ${urlPath} failed: ${e?.message}\n`);
  }
}

function signalRestart() {
  if (config.controlFd == null) return;
  try {
    fs.writeSync(config.controlFd, 'restart\n');
  } catch {
    // executor gone: nothing to tell
  }
}

// ---------------------------------------------------------------------------------------------
// Errors in the shape of the AWS Node.js runtime (aws-lambda-nodejs-runtime-interface-client)
// ---------------------------------------------------------------------------------------------
class RuntimeError extends Error {
  constructor(name, message, cause) {
    super(message);
    this.name = name;
    if (cause?.stack)
      this.stack = `${name}: ${message}\n${String(cause.stack).split('\n').slice(1).join('\n')}`;
  }
}

function isErrorLike(e) {
  return (
    util.types.isNativeError(e) ||
    (e !== null && typeof e === 'object' && typeof e.message === 'string' && 'name' in e)
  );
}

function toErrorResponse(error) {
  try {
    if (isErrorLike(error)) {
      return {
        errorType: error.name,
        errorMessage: error.message,
        trace: String(error.stack || '').split('\n'),
      };
    }
    return { errorType: typeof error, errorMessage: String(error), trace: [] };
  } catch {
    return {
      errorType: 'handled',
      errorMessage:
        'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack',
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Handler loading (same rules as the AWS runtime: "dir/sub/file.export.nested")
// ---------------------------------------------------------------------------------------------
function isFile(p) {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function nearestPackageTypeIsModule(startDir) {
  let dir = startDir;
  for (;;) {
    const pj = path.join(dir, 'package.json');
    if (isFile(pj)) {
      try {
        return JSON.parse(fs.readFileSync(pj, 'utf8')).type === 'module';
      } catch {
        return false;
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return false;
    dir = parent;
  }
}

function wrapLoadError(e) {
  if (e instanceof SyntaxError) return new RuntimeError('Runtime.UserCodeSyntaxError', String(e), e);
  if (e && (e.code === 'MODULE_NOT_FOUND' || e.code === 'ERR_MODULE_NOT_FOUND')) {
    return new RuntimeError('Runtime.ImportModuleError', String(e), e);
  }
  return e;
}

async function importFile(file) {
  try {
    return await import(pathToFileURL(file).href);
  } catch (e) {
    throw wrapLoadError(e);
  }
}

async function requireFile(file) {
  const req = createRequire(file);
  try {
    return req(file);
  } catch (e) {
    if (e && e.code === 'ERR_REQUIRE_ESM') return importFile(file);
    throw wrapLoadError(e);
  }
}

async function loadHandler(taskRoot, fullHandler) {
  if (!fullHandler)
    throw new RuntimeError('Runtime.MalformedHandlerName', 'Handler is not set (_HANDLER is empty)');
  if (fullHandler.includes('..')) {
    throw new RuntimeError(
      'Runtime.MalformedHandlerName',
      `'${fullHandler}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`,
    );
  }
  const slash = fullHandler.lastIndexOf('/');
  const moduleRoot = slash >= 0 ? fullHandler.slice(0, slash) : '';
  const moduleAndHandler = slash >= 0 ? fullHandler.slice(slash + 1) : fullHandler;
  const match = /^([^.]*)\.(.*)$/.exec(moduleAndHandler);
  if (!match?.[1] || !match[2]) throw new RuntimeError('Runtime.MalformedHandlerName', 'Bad handler');
  const [, moduleName, handlerPath] = match;
  const base = path.resolve(taskRoot, moduleRoot, moduleName);

  let mod;
  let found = false;
  if (isFile(base)) {
    mod = await requireFile(base);
    found = true;
  } else if (isFile(`${base}.js`)) {
    mod = nearestPackageTypeIsModule(path.dirname(base))
      ? await importFile(`${base}.js`)
      : await requireFile(`${base}.js`);
    found = true;
  } else if (isFile(`${base}.mjs`)) {
    mod = await importFile(`${base}.mjs`);
    found = true;
  } else if (isFile(`${base}.cjs`)) {
    mod = await requireFile(`${base}.cjs`);
    found = true;
  }
  if (!found) {
    // like the AWS runtime: finally try a module name resolvable from the task root (node_modules)
    try {
      mod = createRequire(path.join(taskRoot, moduleRoot, 'index.js'))(moduleName);
    } catch (e) {
      if (e && e.code === 'MODULE_NOT_FOUND') {
        throw new RuntimeError(
          'Runtime.ImportModuleError',
          `Error: Cannot find module '${moduleName}'\nRequire stack:\n- ${path.join(taskRoot, moduleRoot)}`,
        );
      }
      throw wrapLoadError(e);
    }
  }

  let handler = mod;
  for (const key of handlerPath.split('.')) handler = handler == null ? undefined : handler[key];
  if (handler === undefined) {
    throw new RuntimeError('Runtime.HandlerNotFound', `${fullHandler} is undefined or not exported`);
  }
  if (typeof handler !== 'function') {
    throw new RuntimeError('Runtime.HandlerNotFound', `${fullHandler} is not a function`);
  }
  return handler;
}

// ---------------------------------------------------------------------------------------------
// Invocation
// ---------------------------------------------------------------------------------------------
let handlerFn;
let initDurationMs;
let firstInvoke = true;
let busy = false;
let fatalHook = null; // set while an invoke runs: uncaught errors complete it
let pendingExit = null;

function runHandler(event, context) {
  return new Promise((resolve) => {
    let settled = false;
    const succeed = (result) => {
      if (!settled) {
        settled = true;
        resolve({ result });
      }
    };
    const fail = (error) => {
      if (!settled) {
        settled = true;
        resolve({ error: error ?? new Error('Handler failed with a null or undefined error') });
      }
    };
    const callback = (err, result) => (err === undefined || err === null ? succeed(result) : fail(err));
    context.done = callback;
    context.succeed = succeed;
    context.fail = (err) => fail(err ?? 'handled');
    try {
      const ret = handlerFn(event, context, callback);
      if (ret && typeof ret.then === 'function') ret.then(succeed, fail);
      // otherwise: a callback-style handler; wait for the callback (or the timeout)
    } catch (e) {
      fail(e);
    }
  });
}

function timeoutMessage(requestId) {
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `${now} ${requestId} Task timed out after ${config.timeoutSec.toFixed(2)} seconds`;
}

async function handleInvoke(body) {
  const requestId = body['invoke-id'];
  const started = performance.now();
  const deadline = Date.now() + Math.round(config.timeoutSec * 1000);
  currentRequestId = requestId;
  if (body['trace-id']) env._X_AMZN_TRACE_ID = body['trace-id'];
  else delete env._X_AMZN_TRACE_ID;
  platformLine(`START RequestId: ${requestId} Version: ${config.functionVersion}`);

  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: config.functionName,
    functionVersion: config.functionVersion,
    invokedFunctionArn: body['invoked-function-arn'],
    memoryLimitInMB: config.memoryMb,
    awsRequestId: requestId,
    logGroupName: config.logGroupName,
    logStreamName: config.logStreamName,
    identity: undefined,
    clientContext: undefined,
    getRemainingTimeInMillis: () => Math.max(deadline - Date.now(), 0),
  };

  let outcome;
  let timer;
  const raw = body.payload ?? '';
  let event;
  try {
    event = raw === '' ? {} : JSON.parse(raw);
  } catch (e) {
    outcome = {
      error: new RuntimeError('Runtime.UnmarshalError', `Unable to parse the event: ${e.message}`),
    };
  }
  if (!outcome) {
    const timeout = new Promise((resolve) => {
      timer = nativeSetTimeout(() => resolve({ timedOut: true }), Math.max(deadline - Date.now(), 0));
    });
    const fatal = new Promise((resolve) => {
      fatalHook = resolve;
    });
    outcome = await Promise.race([runHandler(event, context), timeout, fatal]);
    nativeClearTimeout(timer);
    fatalHook = null;
  }

  let callback; // 'response' | 'error'
  let responseBody;
  let restart = false;
  if (outcome.timedOut) {
    const message = timeoutMessage(requestId);
    platformLine(message);
    callback = 'error';
    responseBody = jsonStringify({ errorMessage: message });
    restart = true;
  } else if ('error' in outcome) {
    const errorResponse = toErrorResponse(outcome.error);
    const label = outcome.fatalLabel || 'Invoke Error';
    consoleLine('ERROR', [`${label} \t${safeStringify(errorResponse)}`]);
    callback = 'error';
    responseBody = jsonStringify(errorResponse);
    restart = Boolean(outcome.fatal);
  } else {
    try {
      responseBody = jsonStringify(outcome.result === undefined ? null : outcome.result) ?? 'null';
      callback = 'response';
    } catch (e) {
      const errorResponse = {
        errorType: 'Runtime.SerializationError',
        errorMessage: `Unable to stringify response body: ${e.message}`,
        trace: String(e.stack || '').split('\n'),
      };
      consoleLine('ERROR', [`Invoke Error \t${safeStringify(errorResponse)}`]);
      callback = 'error';
      responseBody = jsonStringify(errorResponse);
    }
    if (callback === 'response' && Buffer.byteLength(responseBody, 'utf8') > config.maxPayloadSize) {
      const size = Buffer.byteLength(responseBody, 'utf8');
      const errorResponse = {
        errorType: 'Function.ResponseSizeTooLarge',
        errorMessage: `Response payload size (${size} bytes) exceeded maximum allowed payload size (${config.maxPayloadSize} bytes).`,
      };
      platformLine(`${new Date().toISOString()}\t${requestId}\tERROR\t${errorResponse.errorMessage}`);
      callback = 'error';
      responseBody = jsonStringify(errorResponse);
    }
  }

  if (config.postInvokeWaitMs > 0) await new Promise((r) => nativeSetTimeout(r, config.postInvokeWaitMs));
  const durationMs = performance.now() - started;
  platformLine(`END RequestId: ${requestId}`);
  let report =
    `REPORT RequestId: ${requestId}\tDuration: ${durationMs.toFixed(2)} ms\tBilled Duration: ${Math.ceil(durationMs)} ms` +
    `\tMemory Size: ${config.memoryMb} MB\tMax Memory Used: ${Math.round(process.memoryUsage.rss() / 1048576)} MB`;
  if (firstInvoke && initDurationMs !== undefined)
    report += `\tInit Duration: ${initDurationMs.toFixed(2)} ms`;
  if (restart && outcome.timedOut) report += '\tStatus: timeout';
  platformLine(report);
  firstInvoke = false;
  currentRequestId = undefined;

  if (restart) signalRestart();
  await postSafely(`/invocations/${requestId}/logs`, jsonStringify({ logs: takeLogs() }));
  await postSafely(`/invocations/${requestId}/${callback}`, responseBody);
  busy = false;
  if (pendingExit !== null) process.exit(pendingExit);
  if (restart) {
    // The handler's pending work must not leak into the next invoke: this environment is done.
    process.exit(outcome.timedOut ? EXIT_TIMEOUT : outcome.exitCode || EXIT_UNCAUGHT);
  }
}

// Errors that escape the handler: complete the running invoke with them, then exit (like AWS).
function onFatal(error, label, exitCode) {
  if (fatalHook) {
    const hook = fatalHook;
    fatalHook = null;
    hook({ error, fatal: true, fatalLabel: label, exitCode });
    return;
  }
  consoleLine('ERROR', [`${label} \t${safeStringify(toErrorResponse(error))}`]);
  if (!busy) process.exit(exitCode);
  // the invoke is being reported right now: exit once that is done
  pendingExit = exitCode;
  signalRestart();
}
process.on('uncaughtException', (error) => onFatal(error, 'Uncaught Exception', EXIT_UNCAUGHT));
process.on('unhandledRejection', (reason) => {
  const message = isErrorLike(reason) ? `${reason.name}: ${reason.message}` : `${reason}`;
  const error = new RuntimeError(
    'Runtime.UnhandledPromiseRejection',
    message,
    isErrorLike(reason) ? reason : undefined,
  );
  onFatal(error, 'Unhandled Promise Rejection', EXIT_UNHANDLED_REJECTION);
});

// ---------------------------------------------------------------------------------------------
// Interop server + init
// ---------------------------------------------------------------------------------------------
function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const server = http.createServer(async (req, res) => {
  if (req.method === 'POST' && req.url === '/invoke') {
    let body;
    try {
      body = JSON.parse(await readBody(req));
    } catch (e) {
      res.writeHead(400).end(`invalid invoke body: ${e.message}`);
      return;
    }
    if (!handlerFn || busy) {
      res.writeHead(409).end(busy ? 'an invocation is already running' : 'not initialised');
      return;
    }
    busy = true;
    res.writeHead(200, { 'Content-Type': 'text/plain' }).end('OK');
    setImmediate(() =>
      handleInvoke(body).catch((e) => {
        originalStderrWrite(`[bootstrap] internal error: ${e?.stack}\n`);
        process.exit(EXIT_UNCAUGHT);
      }),
    );
    return;
  }
  if (req.method === 'GET' && req.url === '/health') {
    res.writeHead(200).end('OK');
    return;
  }
  res.writeHead(404).end('not found');
});
server.keepAliveTimeout = 60_000;

async function init() {
  if (!config.runtimeEndpoint || !config.runtimeId) {
    originalStderrWrite('[bootstrap] LOCALSTACK_RUNTIME_ENDPOINT and LOCALSTACK_RUNTIME_ID are required\n');
    process.exit(EXIT_INIT_ERROR);
  }
  await new Promise((resolve) => {
    server.once('error', (e) => {
      originalStderrWrite(`[bootstrap] cannot listen on 127.0.0.1:${config.port}: ${e.message}\n`);
      process.exit(e.code === 'EADDRINUSE' ? EXIT_PORT_IN_USE : EXIT_INIT_ERROR);
    });
    server.listen(config.port, '127.0.0.1', resolve);
  });
  const started = performance.now();
  const nodePath = (env.NODE_PATH || '').split(path.delimiter).filter(Boolean);
  if (nodePath.length > 0 && typeof module.register === 'function') {
    // ES modules ignore NODE_PATH; these hooks make layers / LAMBDA_PROCESS_NODE_PATH work for them
    module.register('./node-path-hooks.mjs', import.meta.url, { data: { nodePath } });
  }
  try {
    handlerFn = await loadHandler(config.taskRoot, config.handler);
  } catch (e) {
    const errorResponse = toErrorResponse(e);
    consoleLine('ERROR', [`Init Error \t${safeStringify(errorResponse)}`]);
    await postSafely(`/status/${config.runtimeId}/error`, jsonStringify(errorResponse));
    process.exit(EXIT_INIT_ERROR);
  }
  initDurationMs = performance.now() - started;
  const status = await post(`/status/${config.runtimeId}/ready`, '');
  if (status >= 300) {
    // LocalStack did not take the ready signal (unknown environment id?): nobody will invoke us
    originalStderrWrite(`[bootstrap] ready callback answered HTTP ${status}; exiting\n`);
    process.exit(EXIT_INIT_ERROR);
  }
}

// Orphan guard: when the executor (LocalStack) dies without stopping us, we get re-parented.
const parentPid = process.ppid;
setInterval(() => {
  if (process.ppid !== parentPid) process.exit(EXIT_INIT_ERROR);
}, 1000).unref();

init().catch((e) => {
  originalStderrWrite(`[bootstrap] init failed: ${e?.stack}\n`);
  process.exit(EXIT_INIT_ERROR);
});
