/**
 * The batch layer's function (functions/batch/): recomputes the serving views from `raw/`, reconciles
 * them with the serving tables or swaps them in. Invoked directly by `npm run reconcile|rebuild --
 * --target deployed`; on the aws target also every day by an EventBridge rule (schedule from
 * `settings.batch.reconcileSchedule`), whose `ReconcileDifferences` metric the monitoring alarms on.
 */
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import { ENV } from '../../functions/shared/env.js';
import { settings } from '../../functions/shared/settings.js';
import type { ArchiveBucket } from './archive-bucket.js';
import type { PipelineDatabase } from './database.js';
import { PipelineFunction, type SharedFunctionProps } from './pipeline-function.js';

export interface BatchLayerProps extends SharedFunctionProps {
  readonly archive: ArchiveBucket;
  /** Its owner identity: the batch function creates, swaps and drops tables. */
  readonly database: PipelineDatabase;
  /**
   * Reconcile every day on the schedule of `settings.batch.reconcileSchedule`.
   * @default false
   */
  readonly scheduled?: boolean;
}

export class BatchLayer extends Construct {
  readonly function: PipelineFunction;
  /** The daily reconciliation, when scheduled. */
  readonly schedule?: events.Rule;

  constructor(scope: Construct, id: string, props: BatchLayerProps) {
    super(scope, id);
    this.function = new PipelineFunction(this, 'Function', {
      name: 'batch',
      description:
        'Batch layer: recomputes the views from raw/, reconciles them with the serving tables or rebuilds them',
      sizing: settings.functions.batch,
      environment: { [ENV.bucketName]: props.archive.bucket.bucketName, ...props.database.environment },
      architecture: props.architecture,
      logRemovalPolicy: props.logRemovalPolicy,
      hotReload: props.hotReload,
    });
    props.archive.grantReadUnder(this.function, settings.archive.rawPrefix);
    props.database.grantDataApiAccess(this.function);

    if (props.scheduled) {
      const { hour, minute } = settings.batch.reconcileSchedule;
      this.schedule = new events.Rule(this, 'DailyReconciliation', {
        description: 'Reconciles the serving tables with the view recomputed from the archive',
        schedule: events.Schedule.cron({ hour: String(hour), minute: String(minute) }),
        // A failed run is retried by the next day's, and its failure alarms (Errors); not twice a day.
        targets: [
          new targets.LambdaFunction(this.function.function, {
            event: events.RuleTargetInput.fromObject({ action: 'reconcile' }),
            retryAttempts: 0,
          }),
        ],
      });
    }
  }
}
