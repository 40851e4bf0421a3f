/**
 * SQL over the cold path on the aws target: a Glue database and a table over `raw/` whose partitions
 * (`dt`, `hour`) are projected from the key layout (no crawler, no partition to add), an Athena
 * workgroup that enforces its settings (engine version 3, SSE-S3 encrypted results in a bucket of its
 * own, a per-query scan limit) and the saved queries of `functions/batch/archive-queries.ts`.
 *
 * The table's columns come from `functions/batch/archive-table.ts`, which also defines the DuckDB view
 * of `npm run archive:sql`: a query written locally runs here unchanged.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ARCHIVE_QUERIES } from '../../functions/batch/archive-queries.js';
import { ARCHIVE_COLUMNS, ARCHIVE_PARTITIONS, ARCHIVE_TABLE } from '../../functions/batch/archive-table.js';
import { settings } from '../../functions/shared/settings.js';
import { acknowledgeNag } from '../nag.js';

export interface ArchiveSqlProps {
  /** The archive bucket; the table reads its `raw/` prefix. */
  readonly archive: s3.IBucket;
}

/** Hive's JSON SerDe from OpenX, which maps camelCase keys to snake_case columns. */
const JSON_SERDE = 'org.openx.data.jsonserde.JsonSerDe';

export class ArchiveSql extends Construct {
  readonly databaseName: string;
  readonly workGroupName: string;
  readonly resultsBucket: s3.Bucket;
  readonly table: glue.CfnTable;
  readonly workGroup: athena.CfnWorkGroup;

  constructor(scope: Construct, id: string, props: ArchiveSqlProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { sql } = settings.batch;
    // Glue names are lower-case letters, digits and underscores; a second stack gets a name of its own.
    this.databaseName = `${stack.stackName.toLowerCase().replace(/[^a-z0-9_]/g, '_')}_archive`;
    this.workGroupName = `${stack.stackName}-archive`;

    const database = new glue.CfnDatabase(this, 'Database', {
      catalogId: stack.account,
      databaseInput: {
        name: this.databaseName,
        description: 'The pipeline archive (raw/ of the archive bucket), for Athena',
      },
    });

    const rawLocation = `s3://${props.archive.bucketName}/${settings.archive.rawPrefix}`;
    this.table = new glue.CfnTable(this, 'RawCommits', {
      catalogId: stack.account,
      databaseName: this.databaseName,
      tableInput: {
        name: ARCHIVE_TABLE,
        description: 'One row per archived record (every arrival, replays included): gzip NDJSON',
        tableType: 'EXTERNAL_TABLE',
        parameters: {
          classification: 'json',
          compressionType: 'gzip',
          'projection.enabled': 'true',
          'projection.dt.type': 'date',
          'projection.dt.format': 'yyyy-MM-dd',
          'projection.dt.range': `NOW-${sql.projectionYears}YEARS,NOW`,
          'projection.dt.interval': '1',
          'projection.dt.interval.unit': 'DAYS',
          'projection.hour.type': 'integer',
          'projection.hour.range': '0,23',
          'projection.hour.digits': '2',
          'storage.location.template': `${rawLocation}dt=\${dt}/hour=\${hour}/`,
        },
        partitionKeys: ARCHIVE_PARTITIONS.map((partition) => ({
          name: partition.name,
          type: 'string',
          comment: partition.comment,
        })),
        storageDescriptor: {
          location: rawLocation,
          inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          compressed: true,
          columns: ARCHIVE_COLUMNS.map((column) => ({
            name: column.name,
            type: column.glueType,
            comment: column.comment,
          })),
          serdeInfo: {
            serializationLibrary: JSON_SERDE,
            // Case-sensitive keys, each mapped from its column, as the SerDe requires for camelCase keys.
            parameters: {
              'case.insensitive': 'FALSE',
              ...Object.fromEntries(
                ARCHIVE_COLUMNS.map((column) => [`mapping.${column.name}`, column.jsonKey]),
              ),
            },
          },
        },
      },
    });
    this.table.addResourceDependency(database);

    this.resultsBucket = new s3.Bucket(this, 'Results', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'expire-results', expiration: Duration.days(sql.resultsExpirationDays) }],
      // Like the archive on this target: kept when the stack goes (results expire by themselves).
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledgeNag(this.resultsBucket, {
      id: 'AwsSolutions-S1',
      reason:
        'Holds only query results that expire within days; who ran which query is in CloudTrail and in the ' +
        "workgroup's query history, not in a second bucket of access logs.",
    });

    this.workGroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: this.workGroupName,
      description: 'Queries over the pipeline archive; settings enforced on every query',
      state: 'ENABLED',
      // Deleting the stack deletes the workgroup with its saved queries and history.
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: sql.bytesScannedCutoffPerQuery,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: `s3://${this.resultsBucket.bucketName}/`,
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
          expectedBucketOwner: stack.account,
        },
      },
    });

    for (const query of ARCHIVE_QUERIES) {
      const named = new athena.CfnNamedQuery(this, `Query-${query.name}`, {
        name: query.name,
        description: query.description,
        database: this.databaseName,
        workGroup: this.workGroupName,
        queryString: query.sql,
      });
      named.addResourceDependency(this.workGroup);
      named.addResourceDependency(this.table);
    }
  }
}
