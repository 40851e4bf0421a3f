/**
 * Test helpers for the stack: one synthesis per target and file (bundling takes seconds), with the
 * feature flags of `cdk.json`, and readers for the IAM policies attached to a function's role.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readPipelineConfig } from '../../lib/config.js';
import type { PipelineFunction } from '../../lib/constructs/pipeline-function.js';
import { PipelineStack } from '../../lib/pipeline-stack.js';
import { projectPath } from '../../lib/project-paths.js';

export interface SynthesizedPipeline {
  stack: PipelineStack;
  template: Template;
  /** The cloud assembly directory, holding the bundled assets. */
  outdir: string;
  /** Unacknowledged cdk-nag AwsSolutions findings: `RuleId[Finding] @ construct path`. */
  nagFindings: string[];
}

/** Context that skips bundling the functions: for tests that read only the template. */
export const WITHOUT_BUNDLING = { 'aws:cdk:bundling-stacks': [] } as const;

/**
 * Builds and synthesizes the pipeline stack as `bin/app.ts` does, from context.
 *
 * @param context - CDK context on top of `cdk.json`'s, e.g. `{ target: 'aws' }`
 */
export function synthesizePipeline(context: Readonly<Record<string, unknown>>): SynthesizedPipeline {
  const cdkJson = JSON.parse(readFileSync(projectPath('cdk.json'), 'utf8')) as { context: object };
  const outdir = mkdtempSync(join(tmpdir(), 'pipeline-stack-'));
  const app = new App({ context: { ...cdkJson.context, ...context }, outdir });
  const config = readPipelineConfig(app.node);
  const stack = new PipelineStack(app, config.stackName, { config });
  const template = Template.fromStack(stack);
  const report = new AwsSolutionsChecks(app).validateScope(app);
  const nagFindings = report.violations.flatMap((violation) =>
    violation.violatingResources.map((resource) => `${violation.ruleName} @ ${resource.constructPath}`),
  );
  return { stack, template, outdir, nagFindings };
}

/** The parts of a synthesized `AWS::Lambda::Function` the tests read. */
export interface FunctionResource {
  Properties: {
    Code: { S3Key: string };
    Environment: { Variables: Record<string, unknown> };
    [property: string]: unknown;
  };
  DependsOn?: string[];
}

/** A function's `AWS::Lambda::Function` resource as synthesized. */
export function functionResource(pipeline: SynthesizedPipeline, fn: PipelineFunction): FunctionResource {
  const logicalId = pipeline.stack.getLogicalId(fn.function.node.defaultChild as CfnElement);
  return pipeline.template.toJSON().Resources[logicalId];
}

/** The directory of a function's bundle in the cloud assembly (`asset.<hash>`). */
export function bundleDirectory(pipeline: SynthesizedPipeline, fn: PipelineFunction): string {
  const key = functionResource(pipeline, fn).Properties.Code.S3Key;
  return join(pipeline.outdir, `asset.${key.replace(/\.zip$/, '')}`);
}

export interface GrantedStatement {
  action: string;
  /** The resource as CloudFormation JSON, e.g. `{ "Fn::GetAtt": ["Stream…", "Arn"] }` or an ARN string. */
  resource: unknown;
  /** The statement's `Condition`, when it has one. */
  condition?: unknown;
}

/**
 * Every (action, resource) pair the IAM policies attached to a function's role allow.
 *
 * @param pipeline - the synthesized stack
 * @param fn - e.g. `stack.producer`
 */
export function statementsOf(pipeline: SynthesizedPipeline, fn: PipelineFunction): GrantedStatement[] {
  const role = fn.function.role?.node.defaultChild as CfnRole | undefined;
  if (!role) throw new Error(`${fn.node.path} has no role`);
  const roleRef = { Ref: pipeline.stack.getLogicalId(role) };
  const policies = Object.values(pipeline.template.findResources('AWS::IAM::Policy')) as {
    Properties: { Roles: unknown[]; PolicyDocument: { Statement: Statement[] } };
  }[];
  return policies
    .filter((policy) => policy.Properties.Roles.some((ref) => sameJson(ref, roleRef)))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
    .filter((statement) => statement.Effect === 'Allow')
    .flatMap((statement) =>
      asArray(statement.Action).flatMap((action) =>
        asArray(statement.Resource).map((resource) => ({
          action,
          resource,
          ...(statement.Condition !== undefined && { condition: statement.Condition }),
        })),
      ),
    );
}

/**
 * Whether `statements` allow `action` on exactly `resource` (a CDK token or attribute is resolved first),
 * unconditionally.
 */
export function allows(
  pipeline: SynthesizedPipeline,
  statements: readonly GrantedStatement[],
  action: string,
  resource: unknown,
): boolean {
  const resolved = pipeline.stack.resolve(resource);
  return statements.some(
    (statement) =>
      statement.action === action &&
      statement.condition === undefined &&
      sameJson(statement.resource, resolved),
  );
}

/** The resource of `bucket.bucketArn` as it appears in the template. */
export function bucketArn(pipeline: SynthesizedPipeline): unknown {
  return pipeline.stack.resolve(pipeline.stack.archive.bucket.bucketArn);
}

/** The resource of `bucket.arnForObjects(pattern)` as it appears in the template. */
export function objectsArn(pipeline: SynthesizedPipeline, pattern: string): unknown {
  return pipeline.stack.resolve(pipeline.stack.archive.bucket.arnForObjects(pattern));
}

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

function asArray<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
