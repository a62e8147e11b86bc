/** Typed errors for model files: each names the model, the file and what to do. */
export class ModelFileError extends Error {
  constructor(
    readonly code: 'missing' | 'hash-mismatch' | 'version-mismatch' | 'manifest-invalid' | 'conversion-mismatch',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ModelFileError';
  }
}
