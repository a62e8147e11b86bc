import type { ValueTransformer } from 'typeorm';

/** Epoch-millisecond columns are BIGINT; node-postgres returns those as strings. */
export const bigintNumber: ValueTransformer = {
  to: (v: number | null | undefined) => v,
  from: (v: string | number | null) => (v === null ? null : Number(v)),
};
