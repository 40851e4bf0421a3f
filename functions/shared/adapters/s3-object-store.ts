import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ObjectBody, ObjectCallOptions, ObjectStore } from '../ports.js';

/** {@link ObjectStore} over one S3 bucket. */
export class S3ObjectStore implements ObjectStore {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  async put(key: string, object: ObjectBody, options: ObjectCallOptions = {}): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: object.body,
        ContentType: object.contentType,
        ContentEncoding: object.contentEncoding,
      }),
      { abortSignal: options.signal },
    );
  }

  async delete(key: string, options: ObjectCallOptions = {}): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }), {
      abortSignal: options.signal,
    });
  }
}
