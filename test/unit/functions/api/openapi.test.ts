import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type OpenApiDocument,
  openApiDocument,
  type ResponseObject,
} from '../../../../functions/api/openapi.js';
import { namedSchemas } from '../../../../functions/api/read-model.js';
import { matchPath } from '../../../../functions/api/router.js';
import { DatabaseUnavailableError } from '../../../../functions/shared/errors.js';
import { settings } from '../../../../functions/shared/settings.js';
import { callApi, emptyData, sampleRepository } from '../../../support/api-call.js';
import { FakeStatsRepository } from '../../../support/fake-stats-repository.js';
import { documentProblems, resolve, schemaViolations } from '../../../support/openapi-check.js';

/** Every route of the spec, as a path template. */
const SPEC_PATHS = [
  '/health',
  '/openapi.json',
  '/stats/summary',
  '/stats/authors',
  '/stats/authors/{author}',
  '/stats/modules',
  '/stats/modules/{module}',
  '/stats/languages',
  '/stats/languages/{language}',
  '/stats/timeline',
  '/commits/suspicious',
];

/** A concrete path for a template, with keys that exist in the sample data. */
const SAMPLE_KEYS: Record<string, string> = {
  '{author}': 'person_1',
  '{module}': '%2Fsecurity%2Fauth',
  '{language}': 'py',
};
const concrete = (template: string) => template.replace(/\{[^}]+\}/, (name) => SAMPLE_KEYS[name] ?? name);

function documentedSchema(doc: OpenApiDocument, template: string, status: string) {
  const response = doc.paths[template]?.get.responses[status];
  expect(response, `${template} documents ${status}`).toBeDefined();
  const schema = response && resolve<ResponseObject>(doc, response).content?.['application/json']?.schema;
  expect(schema, `${template} ${status} has a JSON schema`).toBeDefined();
  return schema ?? {};
}

describe('the OpenAPI document', () => {
  it('is a structurally sound OpenAPI 3 document: references resolve, required fields exist, ids are unique', () => {
    expect(openApiDocument.openapi).toMatch(/^3\.0\.\d$/);
    expect(openApiDocument.info.title).not.toBe('');
    expect(documentProblems(openApiDocument)).toEqual([]);
  });

  it('survives JSON serialisation unchanged (no functions, undefined or cycles)', () => {
    expect(JSON.parse(JSON.stringify(openApiDocument))).toEqual(openApiDocument);
  });

  it('documents exactly the routes the router serves', () => {
    expect(Object.keys(openApiDocument.paths).sort()).toEqual([...SPEC_PATHS].sort());
    for (const template of SPEC_PATHS) expect(matchPath(concrete(template)), template).toBeDefined();
  });

  it('has a closed schema with every field required for each item shape', () => {
    const schemas = openApiDocument.components.schemas;
    for (const name of [
      'Summary',
      'AuthorStats',
      'ModuleStats',
      'LanguageStats',
      'TimelineWindow',
      'SuspiciousCommit',
      'Error',
    ]) {
      const schema = schemas[name];
      expect(schema, name).toBeDefined();
      expect(schema?.additionalProperties, name).toBe(false);
      expect([...(schema?.required ?? [])].sort(), name).toEqual(
        Object.keys(schema?.properties ?? {}).sort(),
      );
    }
    expect(schemas.AuthorStats?.required).toContain('author');
    expect(schemas.ModuleStats?.required).toContain('module');
    expect(schemas.LanguageStats?.required).toContain('language');
  });

  it('documents the enforced limits, enumerations and defaults', () => {
    const { parameters } = openApiDocument.components;

    expect(parameters.limit?.schema).toMatchObject({
      minimum: 1,
      maximum: settings.api.maxPageSize,
      default: 50,
    });
    expect(parameters.offset?.schema).toMatchObject({ minimum: 0, default: 0 });
    expect(parameters.sort?.schema.enum).toEqual(['commits', 'churn', 'avgEntropy', 'suspicious']);
    expect(parameters.order?.schema).toMatchObject({ enum: ['asc', 'desc'], default: 'desc' });
    expect(parameters.reason?.schema.enum).toEqual(['entropy', 'author-outlier']);
    expect(parameters.timelineLimit?.schema.maximum).toBe(settings.api.maxPageSize);
    expect(openApiDocument.paths['/stats/timeline']?.get.description).toContain('nextFrom');
  });

  it('lists every schema of the read model, with exactly the fields its zod schema has', () => {
    for (const schema of namedSchemas) {
      const id = z.globalRegistry.get(schema)?.id ?? '';
      const documented = openApiDocument.components.schemas[id];

      expect(documented, id).toBeDefined();
      expect(Object.keys(documented?.properties ?? {}), id).toEqual(Object.keys(schema.shape));
    }
  });

  it('documents 400 for every route that takes parameters and 404 for every single-item route', () => {
    for (const [template, item] of Object.entries(openApiDocument.paths)) {
      if (item.get.parameters?.length) expect(item.get.responses['400'], template).toBeDefined();
      if (template.includes('{')) expect(item.get.responses['404'], template).toBeDefined();
    }
  });
});

describe('responses match the documented shapes', () => {
  it.each(SPEC_PATHS)('200 of %s with data', async (template) => {
    const response = await callApi(sampleRepository(), concrete(template));

    expect(response.statusCode).toBe(200);
    expect(
      schemaViolations(openApiDocument, documentedSchema(openApiDocument, template, '200'), response.body),
    ).toEqual([]);
  });

  it.each(['/stats/summary', '/stats/authors', '/stats/timeline', '/commits/suspicious'])(
    '200 of %s on an empty database',
    async (template) => {
      const response = await callApi(new FakeStatsRepository(emptyData()), template);

      expect(
        schemaViolations(openApiDocument, documentedSchema(openApiDocument, template, '200'), response.body),
      ).toEqual([]);
    },
  );

  it.each([
    ['/stats/authors', { limit: '0' }, '400'],
    ['/stats/authors/{author}', {}, '404'],
    ['/stats/timeline', { from: 'x' }, '400'],
    ['/commits/suspicious', { reason: 'x' }, '400'],
  ])('error of %s matches the documented %s', async (template, query, status) => {
    const path = template.replace('{author}', 'nobody');

    const response = await callApi(sampleRepository(), path, { query });

    expect(String(response.statusCode)).toBe(status);
    expect(
      schemaViolations(openApiDocument, documentedSchema(openApiDocument, template, status), response.body),
    ).toEqual([]);
  });

  it('503 of /health and of a data route match their documented shapes', async () => {
    const repository = sampleRepository();
    repository.failure = new DatabaseUnavailableError('down');

    const health = await callApi(repository, '/health');
    const summary = await callApi(repository, '/stats/summary');

    expect(
      schemaViolations(openApiDocument, documentedSchema(openApiDocument, '/health', '503'), health.body),
    ).toEqual([]);
    expect(
      schemaViolations(
        openApiDocument,
        documentedSchema(openApiDocument, '/stats/summary', '503'),
        summary.body,
      ),
    ).toEqual([]);
  });

  it('the schema check itself rejects a body with a missing or undocumented field', () => {
    const schema = { $ref: '#/components/schemas/TimelineWindow' };
    const { suspiciousCommits: _omitted, ...missing } = sampleRepository().data.windows[0] ?? {};

    expect(schemaViolations(openApiDocument, schema, missing)).toEqual(['$.suspiciousCommits: missing']);
    expect(
      schemaViolations(openApiDocument, schema, { ...sampleRepository().data.windows[0], extra: 1 }),
    ).toEqual(['$.extra: not documented']);
  });

  it('is served with the stage-qualified server URL the client used', async () => {
    const response = await callApi(sampleRepository(), '/openapi.json', { stage: 'prod' });

    expect(response.body.servers).toEqual([{ url: 'https://abc.execute-api.eu-west-1.amazonaws.com/prod' }]);
    expect(response.body.paths).toEqual(JSON.parse(JSON.stringify(openApiDocument.paths)));
  });
});
