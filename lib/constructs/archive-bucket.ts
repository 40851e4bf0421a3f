/**
 * The cold path: raw batches (`raw/`), records the processor could not use (`quarantine/`) and CSV rows
 * the producer refused (`rejected/`), in one private, encrypted, TLS-only bucket with a lifecycle.
 * CSV files to replay are uploaded under `sources/`, the only prefix the producer may read.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, type IConstruct } from 'constructs';
import { settings } from '../../functions/shared/settings.js';
import { acknowledgeNag, arnFinding } from '../nag.js';

/** Where users upload CSV files for the deployed producer to replay (`--key sources/<file>.csv`). */
export const SOURCE_PREFIX = settings.archive.sourcePrefix;

export interface ArchiveBucketProps {
  /**
   * Delete the bucket and its objects with the stack (LocalStack); otherwise the archive outlives it.
   * @default false
   */
  readonly ephemeral?: boolean;
}

export class ArchiveBucket extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: ArchiveBucketProps = {}) {
    super(scope, id);
    const { archive } = settings;

    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        {
          id: 'raw-to-infrequent-access',
          prefix: archive.rawPrefix,
          transitions: [
            {
              storageClass: s3.StorageClass.INFREQUENT_ACCESS,
              transitionAfter: Duration.days(archive.rawInfrequentAccessAfterDays),
            },
          ],
        },
        {
          id: 'expire-rejected',
          prefix: archive.rejectedPrefix,
          expiration: Duration.days(archive.rejectedExpirationDays),
        },
        {
          id: 'expire-quarantine',
          prefix: archive.quarantinePrefix,
          expiration: Duration.days(archive.quarantineExpirationDays),
        },
      ],
      removalPolicy: props.ephemeral ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      autoDeleteObjects: props.ephemeral ?? false,
    });

    acknowledgeNag(this.bucket, {
      id: 'AwsSolutions-S1',
      reason:
        'Only the pipeline functions write here, through their roles; object-level auditing, if needed, is ' +
        'CloudTrail data events rather than a second bucket of access logs for a demo archive.',
    });
  }

  /**
   * Lets `grantee` write objects under `prefix` (`grantPut`), and acknowledges exactly the wildcards
   * that grant produces.
   *
   * @param grantee - a function (or any grantable construct)
   * @param prefix - e.g. `raw/`, from `settings.archive`
   */
  grantPutUnder(grantee: iam.IGrantable & IConstruct, prefix: string): void {
    this.bucket.grantPut(grantee, `${prefix}*`);
    acknowledgeNag(grantee, {
      id: 'AwsSolutions-IAM5',
      reason:
        `Writes are limited to keys under ${prefix} of the archive bucket; s3:Abort* (abort its own ` +
        'multipart uploads) is part of the grantPut action set.',
      findings: ['Action::s3:Abort*', arnFinding(this.bucket, `/${prefix}*`)],
    });
  }

  /**
   * Lets `grantee` delete objects under `prefix`: `s3:DeleteObject` only, not `grantDelete`'s
   * `s3:DeleteObject*`, which also removes object versions. (The processor replaces a batch's archive
   * objects when it is retried, and deletes the one a retry no longer needs.)
   *
   * @param grantee - a function (or any grantable construct)
   * @param prefix - e.g. `raw/`, from `settings.archive`
   */
  grantDeleteUnder(grantee: iam.IGrantable & IConstruct, prefix: string): void {
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:DeleteObject'],
      resourceArns: [this.bucket.arnForObjects(`${prefix}*`)],
    });
    acknowledgeNag(grantee, {
      id: 'AwsSolutions-IAM5',
      reason: `Deletes are limited to keys under ${prefix} of the archive bucket.`,
      findings: [arnFinding(this.bucket, `/${prefix}*`)],
    });
  }

  /**
   * Lets `grantee` read objects under `prefix` and list only those keys: `s3:GetObject` on the keys,
   * `s3:ListBucket` on the bucket with an `s3:prefix` condition (a listing is a bucket action, so a
   * resource pattern cannot scope it). Not `grantRead`: that adds `s3:List*` and `s3:GetBucket*` on
   * the whole bucket. Listing makes a missing key answer 404 (NoSuchKey) instead of 403.
   *
   * @param grantee - a function (or any grantable construct)
   * @param prefix - e.g. `sources/`
   */
  grantReadUnder(grantee: iam.IGrantable & IConstruct, prefix: string): void {
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:GetObject'],
      resourceArns: [this.bucket.arnForObjects(`${prefix}*`)],
    });
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:ListBucket'],
      resourceArns: [this.bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': `${prefix}*` } },
    });
    acknowledgeNag(grantee, {
      id: 'AwsSolutions-IAM5',
      reason: `Reads are limited to keys under ${prefix} of the archive bucket.`,
      findings: [arnFinding(this.bucket, `/${prefix}*`)],
    });
  }
}
