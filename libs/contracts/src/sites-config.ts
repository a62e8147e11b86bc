import { z } from 'zod';
import { IdSchema } from './ids.js';

/** The site registry the hub loads (sites.yaml): which gates exist, in which zone. */
export const SiteKindSchema = z.enum(['tourist', 'industrial', 'station']);

export const SitesConfigSchema = z.strictObject({
  sites: z
    .array(
      z.strictObject({
        id: IdSchema,
        name: z.string().min(1),
        kind: SiteKindSchema,
        zones: z.array(z.strictObject({ id: IdSchema, name: z.string().min(1) })).min(1),
        gates: z.array(z.strictObject({ id: IdSchema, zone: IdSchema, name: z.string().min(1) })).min(1),
      }),
    )
    .min(1),
});
export type SitesConfig = z.infer<typeof SitesConfigSchema>;
