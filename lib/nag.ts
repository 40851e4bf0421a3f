/**
 * cdk-nag (v3) acknowledgments: a rule, or named findings of a rule, accepted on a construct and its
 * children, each with its reason. Findings are exact (`AwsSolutions-IAM5[Action::s3:Abort*]`), so a new
 * wildcard that nobody reviewed still fails the check.
 */
import { type CfnElement, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

export interface NagAcknowledgment {
  /** Rule id, e.g. `AwsSolutions-IAM5`. */
  readonly id: string;
  /** Why the finding is accepted; shown in the validation report and kept in the construct metadata. */
  readonly reason: string;
  /**
   * Only these findings of the rule (the part in brackets of `RuleId[Finding]`).
   * @default - the rule as a whole
   */
  readonly findings?: readonly string[];
}

/**
 * Acknowledges cdk-nag rules on a construct and everything under it.
 *
 * @param scope - the construct the findings are reported on, or one of its ancestors
 * @param acknowledgments - the rules or findings, each with its reason
 * @example
 * ```ts
 * acknowledgeNag(fn, { id: 'AwsSolutions-IAM5', reason: '…', findings: ['Action::s3:Abort*'] });
 * ```
 */
export function acknowledgeNag(scope: IConstruct, ...acknowledgments: NagAcknowledgment[]): void {
  const validations = Validations.of(scope);
  for (const { id, reason, findings } of acknowledgments) {
    if (findings === undefined) validations.acknowledge({ id, reason });
    else for (const finding of findings) validations.acknowledge({ id: `${id}[${finding}]`, reason });
  }
}

/**
 * The IAM5 finding for a resource ARN built from a resource's `Arn` attribute, as cdk-nag spells it:
 * `Resource::<LogicalId.Arn>/raw/*`.
 *
 * @param resource - an L1 resource, or an L2 construct whose default child is one
 * @param suffix - what follows the ARN, e.g. `/raw/*` or `:*`
 */
export function arnFinding(resource: IConstruct, suffix: string): string {
  const element = CfnResource.isCfnResource(resource) ? resource : resource.node.defaultChild;
  if (!element || !CfnResource.isCfnResource(element)) {
    throw new Error(`${resource.node.path} is not a CloudFormation resource`);
  }
  return `Resource::<${Stack.of(element).getLogicalId(element as CfnElement)}.Arn>${suffix}`;
}
