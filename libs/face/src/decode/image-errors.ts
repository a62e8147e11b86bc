/** Why an input buffer could not be turned into pixels. A frame without a face is not an error. */
export type ImageInputErrorCode = 'empty' | 'not-an-image' | 'unsupported-format' | 'truncated' | 'corrupt' | 'too-large' | 'invalid-frame';

export class ImageInputError extends Error {
  constructor(
    readonly code: ImageInputErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ImageInputError';
  }
}
