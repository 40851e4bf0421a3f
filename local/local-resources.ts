/**
 * Names of the resources the local runtime creates on its emulators. The deployed stack lets
 * CloudFormation name its resources; locally there is only ever one of each.
 */
export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_STREAM_NAME = 'infected-code-commits';
export const LOCAL_BUCKET_NAME = 'infected-code-archive';
