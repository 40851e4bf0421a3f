/**
 * Names of the resources the local runtime creates on its emulators. The deployed stack lets
 * CloudFormation name its resources; locally there is only ever one of each.
 */
export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_STREAM_NAME = 'infected-code-commits';
export const LOCAL_BUCKET_NAME = 'infected-code-archive';
export const LOCAL_STREAM_ARN = `arn:aws:kinesis:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stream/${LOCAL_STREAM_NAME}`;

/** The ARN a function hosted by the local runtime goes by. */
export const localFunctionArn = (name: string): string =>
  `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${name}`;
