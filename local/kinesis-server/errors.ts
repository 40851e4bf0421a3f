/**
 * The errors of the Kinesis API as the AWS JSON 1.1 protocol carries them: HTTP 400 (500 for internal
 * failures) with `{"__type": "<Name>", "message": "…"}`, which the SDK turns into its modelled exception
 * classes by `__type`.
 */

export type KinesisErrorType =
  | 'ExpiredIteratorException'
  | 'ExpiredNextTokenException'
  | 'InternalFailure'
  | 'InvalidArgumentException'
  | 'LimitExceededException'
  | 'ResourceInUseException'
  | 'ResourceNotFoundException'
  | 'SerializationException'
  | 'UnknownOperationException'
  | 'ValidationException';

export class KinesisError extends Error {
  constructor(
    readonly type: KinesisErrorType,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
    this.name = type;
  }

  /** The JSON body AWS sends for this error. */
  toJSON(): { __type: string; message: string } {
    return { __type: this.type, message: this.message };
  }
}

export const invalidArgument = (message: string) => new KinesisError('InvalidArgumentException', message);
export const resourceNotFound = (message: string) => new KinesisError('ResourceNotFoundException', message);
export const resourceInUse = (message: string) => new KinesisError('ResourceInUseException', message);
export const limitExceeded = (message: string) => new KinesisError('LimitExceededException', message);
export const validationError = (message: string) => new KinesisError('ValidationException', message);
export const serializationError = (message: string) => new KinesisError('SerializationException', message);
export const expiredIterator = (message: string) => new KinesisError('ExpiredIteratorException', message);
export const expiredNextToken = (message: string) => new KinesisError('ExpiredNextTokenException', message);
export const unknownOperation = (message: string) => new KinesisError('UnknownOperationException', message);
