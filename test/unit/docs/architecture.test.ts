/**
 * docs/architecture.md walks one record through the source files; the walk stays true only if the
 * imports it names are there. Each row's file exists and is imported by the rows its "imported by"
 * column names, which come before it; a crossing (the stream, the database) starts over.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectPath } from '../../../lib/project-paths.js';

/** The walk's most files, re-export files included. */
const MAX_WALK_FILES = 15;

interface WalkStep {
  step: number;
  file: string;
  importedBy: number[];
}

/** The numbered rows of the walk's table: `| 3 | \`path\` | 2 | … |`. */
function walkSteps(markdown: string): WalkStep[] {
  return [...markdown.matchAll(/^\| (\d+) \| `([^`]+)` \| ([\d, —]+) \|/gm)].map((match) => ({
    step: Number(match[1]),
    file: match[2] ?? '',
    importedBy: (match[3] ?? '')
      .split(',')
      .map((text) => text.trim())
      .filter((text) => /^\d+$/.test(text))
      .map(Number),
  }));
}

/** The repository paths a TypeScript file imports relatively (`./x.js` is `x.ts`). */
function relativeImports(file: string): Set<string> {
  const source = readFileSync(projectPath(file), 'utf8');
  const specifiers = [...source.matchAll(/from '(\.{1,2}\/[^']+)'/g)].map((match) => match[1] ?? '');
  return new Set(
    specifiers.map((specifier) => normalize(join(dirname(file), specifier)).replace(/\.js$/, '.ts')),
  );
}

const steps = walkSteps(readFileSync(projectPath('docs/architecture.md'), 'utf8'));

describe("docs/architecture.md's walk of one record", () => {
  it('numbers its steps in order, in at most 15 distinct files that all exist', () => {
    expect(steps.map((step) => step.step)).toEqual(steps.map((_, index) => index + 1));
    expect(new Set(steps.map((step) => step.file)).size).toBeLessThanOrEqual(MAX_WALK_FILES);
    expect(steps.filter((step) => !existsSync(projectPath(step.file)))).toEqual([]);
  });

  it('starts at the producer, crosses to the processor and the api, and ends in the response', () => {
    const starts = steps.filter((step) => step.importedBy.length === 0).map((step) => step.file);
    expect(starts).toEqual([
      'functions/producer/handler.ts',
      'functions/processor/handler.ts',
      'functions/api/handler.ts',
    ]);
    expect(steps.at(-1)?.file).toBe('functions/api/responses.ts');
  });

  it.each(steps.filter((step) => step.importedBy.length > 0))(
    'step $step ($file) is imported by the earlier steps it names',
    ({ step, file, importedBy }) => {
      for (const earlier of importedBy) {
        expect(earlier).toBeLessThan(step);
        const importer = steps[earlier - 1]?.file ?? '';
        expect(relativeImports(importer), `${importer} imports ${file}`).toContain(file);
      }
    },
  );
});
