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
        /** People the site holds safely; the IOC wall compares occupancy with it. */
        capacity: z.number().int().positive().optional(),
        /** Share of a capacity at which the wall warns of a crowd ("tụ tập đông người"); default 0.9. */
        crowdWarnAt: z.number().gt(0).max(2).optional(),
        /** Where the site is, for the wall's outline map (WGS84 degrees). */
        /**
         * Who may watch the site's live camera tiles. Default: its operator, security and admin users;
         * wall (IOC) keys only with `wallKeys: true`; managers only if listed.
         */
        liveCameras: z
          .strictObject({
            roles: z.array(z.enum(['admin', 'security', 'operator', 'manager'])).max(4).default(['admin', 'security', 'operator']),
            wallKeys: z.boolean().default(false),
          })
          .optional(),
        location: z.strictObject({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) }).optional(),
        zones: z.array(z.strictObject({ id: IdSchema, name: z.string().min(1), capacity: z.number().int().positive().optional() })).min(1),
        gates: z
          .array(
            z.strictObject({
              id: IdSchema,
              zone: IdSchema,
              name: z.string().min(1),
              /**
               * The gate's lane ids and camera ids the hub accepts (lane states, events, device health).
               * Unlisted: the first 8 of each a gate reports are accepted, the rest refused; list them.
               */
              lanes: z.array(IdSchema).max(64).optional(),
              cameras: z.array(IdSchema).max(64).optional(),
            }),
          )
          .min(1),
      }),
    )
    .min(1),
});
export type SitesConfig = z.infer<typeof SitesConfigSchema>;
