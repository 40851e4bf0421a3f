/**
 * CDK entry point: reads the deployment context once and wires the pipeline stack. Nothing else.
 *
 *   npx cdk synth                       # LocalStack target (default)
 *   npx cdk synth -c target=aws         # AWS: Aurora Serverless v2 instead of the Data API emulator
 *   npx cdk synth -c target=aws -c alarmEmail=ops@example.com   # and e-mail the alarms
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readPipelineConfig } from '../lib/config.js';
import { PipelineStack } from '../lib/pipeline-stack.js';

const app = new App();
const config = readPipelineConfig(app.node);

new PipelineStack(app, config.stackName, {
  config,
  description: `Infected Code streaming pipeline (target: ${config.target}, database: ${config.database.kind})`,
});

// cdk-nag runs as a policy validation plugin: an unacknowledged finding fails the synthesis. Every
// accepted finding is acknowledged in code beside its resource, with its reason.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
