/**
 * The read API: an API Gateway REST API whose requests all go to one Lambda (proxy integration).
 *
 * Every method is routed to the function (`ANY`), which serves GET, answers the CORS preflight (OPTIONS)
 * and replies 405 in the API's JSON error shape to anything else: the same behaviour as the local
 * runtime's API front, where no API Gateway sits in between. CORS headers therefore come from the
 * function, not from API Gateway mock integrations.
 */
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { settings } from '../../functions/shared/settings.js';
import { acknowledgeNag } from '../nag.js';
import { LOG_RETENTION } from './pipeline-function.js';

export interface ReadApiProps {
  /** The function answering every GET request. */
  readonly handler: lambda.IFunction;
  /**
   * Access logs and execution logging on the stage. Needs the account-level API Gateway CloudWatch role,
   * which the API then creates.
   * @default false
   */
  readonly logging?: boolean;
  /**
   * What happens to the access log group when it leaves the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

export class ReadApi extends Construct {
  readonly api: apigateway.RestApi;

  constructor(scope: Construct, id: string, props: ReadApiProps) {
    super(scope, id);
    const logging = props.logging ?? false;
    const accessLogs = logging
      ? new logs.LogGroup(this, 'AccessLogs', {
          retention: LOG_RETENTION,
          removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
        })
      : undefined;

    this.api = new apigateway.RestApi(this, 'RestApi', {
      // API Gateway's metrics are per API name: one of its own per copy of the stack (the default is
      // the construct id, the same in every copy).
      restApiName: `${Stack.of(this).stackName}-read-api`,
      description: 'Read-only JSON API over the Infected Code aggregates',
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      cloudWatchRole: logging,
      deployOptions: {
        throttlingRateLimit: settings.api.throttlingRateLimit,
        throttlingBurstLimit: settings.api.throttlingBurstLimit,
        ...(accessLogs && {
          accessLogDestination: new apigateway.LogGroupLogDestination(accessLogs),
          accessLogFormat: apigateway.AccessLogFormat.jsonWithStandardFields(),
          loggingLevel: apigateway.MethodLoggingLevel.ERROR,
          metricsEnabled: true,
        }),
      },
    });

    // The stack names the URL output itself (`ApiUrl`); drop the one RestApi adds on its own.
    this.api.node.tryRemoveChild('Endpoint');

    const integration = new apigateway.LambdaIntegration(props.handler, {
      proxy: true,
      allowTestInvoke: false,
    });
    this.api.root.addMethod('ANY', integration);
    this.api.root.addResource('{proxy+}').addMethod('ANY', integration);

    acknowledgeNag(
      this.api,
      {
        id: 'AwsSolutions-APIG2',
        reason:
          'Proxy API: the function validates method, path and query parameters (zod) and answers 400/405.',
      },
      {
        id: 'AwsSolutions-APIG3',
        reason: 'A public read-only demo API protected by stage throttling; a WAF web ACL is billed monthly.',
      },
      {
        id: 'AwsSolutions-APIG4',
        reason:
          'The statistics API is public and read-only by design (issue spec); it exposes aggregates only.',
      },
      {
        id: 'AwsSolutions-COG4',
        reason: 'The statistics API is public and read-only by design; there are no users to authenticate.',
      },
    );
    if (logging) {
      acknowledgeNag(this.api, {
        id: 'AwsSolutions-IAM4',
        reason:
          'The account-level API Gateway CloudWatch role uses the AWS-managed ' +
          'AmazonAPIGatewayPushToCloudWatchLogs policy, the documented way to enable API logging.',
        findings: [
          'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs',
        ],
      });
    } else {
      acknowledgeNag(
        this.api,
        {
          id: 'AwsSolutions-APIG1',
          reason: 'Access logs are enabled on the aws target only; LocalStack does not deliver them.',
        },
        {
          id: 'AwsSolutions-APIG6',
          reason: 'Execution logging is enabled on the aws target only; LocalStack does not deliver it.',
        },
      );
    }
  }
}
