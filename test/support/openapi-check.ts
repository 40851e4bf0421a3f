/**
 * A light, dependency-free check of the OpenAPI subset `openapi.ts` uses: structural rules of the
 * document, and validation of a JSON value against one of its schemas.
 */
import type {
  OpenApiDocument,
  ParameterObject,
  ReferenceObject,
  ResponseObject,
  SchemaObject,
} from '../../functions/api/openapi.js';

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function isRef(value: object): value is ReferenceObject {
  return '$ref' in value;
}

/** Resolves a local `#/components/...` reference, or throws. */
export function resolve<T>(doc: OpenApiDocument, value: T | ReferenceObject): T {
  if (typeof value !== 'object' || value === null || !isRef(value)) return value as T;
  const target = value.$ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], doc);
  if (target === undefined) throw new Error(`unresolved reference ${value.$ref}`);
  return resolve(doc, target as T | ReferenceObject);
}

/** Problems with the document's structure; empty when it is sound. */
export function documentProblems(doc: OpenApiDocument): string[] {
  const problems: string[] = [];
  const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
  for (const raw of refs) {
    try {
      resolve(doc, { $ref: raw.slice(8, -1) });
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  const checkSchema = (where: string, schema: SchemaObject | ReferenceObject): void => {
    if (isRef(schema)) return;
    for (const name of schema.required ?? []) {
      if (!schema.properties?.[name]) problems.push(`${where}: required ${name} is not a property`);
    }
    if (schema.type === 'object' && schema.additionalProperties === false && !schema.properties) {
      problems.push(`${where}: closed object without properties`);
    }
    if (schema.type === 'array' && !schema.items) problems.push(`${where}: array without items`);
    for (const [name, property] of Object.entries(schema.properties ?? {}))
      checkSchema(`${where}.${name}`, property);
    if (schema.items) checkSchema(`${where}[]`, schema.items);
  };
  for (const [name, schema] of Object.entries(doc.components.schemas)) checkSchema(name, schema);

  const operationIds = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths)) {
    const operation = item.get;
    if (operationIds.has(operation.operationId)) problems.push(`${path}: duplicate operationId`);
    operationIds.add(operation.operationId);
    const params = (operation.parameters ?? []).map((p) => resolve<ParameterObject>(doc, p));
    for (const template of path.match(/\{[^}]+\}/g) ?? []) {
      const name = template.slice(1, -1);
      if (!params.some((p) => p.in === 'path' && p.name === name && p.required === true)) {
        problems.push(`${path}: path parameter ${name} is not declared as required`);
      }
    }
    const ok = operation.responses['200'];
    const okSchema = ok && resolve<ResponseObject>(doc, ok).content?.['application/json']?.schema;
    if (!okSchema) problems.push(`${path}: no application/json 200 response`);
    for (const [status, response] of Object.entries(operation.responses)) {
      if (!/^[1-5]\d\d$/.test(status)) problems.push(`${path}: bad status ${status}`);
      if (!resolve<ResponseObject>(doc, response).description)
        problems.push(`${path} ${status}: no description`);
    }
  }
  return problems;
}

/** Where `value` departs from `schema`; empty when it conforms. */
export function schemaViolations(
  doc: OpenApiDocument,
  schemaOrRef: SchemaObject | ReferenceObject,
  value: unknown,
  at = '$',
): string[] {
  const schema = resolve<SchemaObject>(doc, schemaOrRef);
  if (value === null) return schema.nullable ? [] : [`${at}: null is not allowed`];
  const violations: string[] = [];
  switch (schema.type) {
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return [`${at}: not an object`];
      const record = value as Record<string, unknown>;
      for (const name of schema.required ?? []) {
        if (!(name in record)) violations.push(`${at}.${name}: missing`);
      }
      for (const [name, property] of Object.entries(record)) {
        const propertySchema = schema.properties?.[name];
        if (propertySchema)
          violations.push(...schemaViolations(doc, propertySchema, property, `${at}.${name}`));
        else if (schema.additionalProperties === false) violations.push(`${at}.${name}: not documented`);
      }
      return violations;
    }
    case 'array':
      if (!Array.isArray(value)) return [`${at}: not an array`];
      return value.flatMap((item, index) =>
        schema.items ? schemaViolations(doc, schema.items, item, `${at}[${index}]`) : [],
      );
    case 'integer':
    case 'number':
      if (typeof value !== 'number' || (schema.type === 'integer' && !Number.isInteger(value))) {
        return [`${at}: not a${schema.type === 'integer' ? 'n integer' : ' number'}`];
      }
      if (schema.minimum !== undefined && value < schema.minimum) violations.push(`${at}: below minimum`);
      if (schema.maximum !== undefined && value > schema.maximum) violations.push(`${at}: above maximum`);
      return violations;
    case 'string':
      if (typeof value !== 'string') return [`${at}: not a string`];
      if (schema.enum && !schema.enum.includes(value)) violations.push(`${at}: ${value} is not in the enum`);
      if (schema.format === 'date-time' && !ISO_UTC.test(value))
        violations.push(`${at}: not an ISO UTC date-time`);
      return violations;
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${at}: not a boolean`];
    default:
      return [];
  }
}
