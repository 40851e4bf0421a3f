// Module customization hooks (module.register): let ES modules resolve bare specifiers from
// NODE_PATH, as CommonJS require() does. Node's ESM resolver ignores NODE_PATH; without this an
// ESM handler could not import packages from layers (<layer>/nodejs/node_modules) or from
// LAMBDA_PROCESS_NODE_PATH (e.g. a node_modules with @aws-sdk/* standing in for the SDK that the
// AWS Node.js runtimes ship). Only used after normal resolution failed.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

let parents = [];

export async function initialize(data) {
  parents = (data?.nodePath ?? [])
    .filter(Boolean)
    // resolving from "<dir>/x.mjs" searches "<dir>/node_modules": for an entry that is itself a
    // node_modules folder, resolve from its parent; otherwise from inside the entry
    .map((entry) =>
      path.basename(entry) === 'node_modules'
        ? pathToFileURL(path.join(path.dirname(entry), '__node_path__.mjs')).href
        : pathToFileURL(path.join(entry, '__node_path__.mjs')).href,
    );
}

function isBare(specifier) {
  return !/^(\.{0,2}\/|[a-zA-Z][a-zA-Z\d+.-]*:)/.test(specifier);
}

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !isBare(specifier) || parents.length === 0) throw error;
    for (const parentURL of parents) {
      try {
        return await nextResolve(specifier, { ...context, parentURL });
      } catch {
        // try the next entry
      }
    }
    throw error;
  }
}
