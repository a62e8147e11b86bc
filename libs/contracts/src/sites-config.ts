import { z } from 'zod';
import { IdSchema } from './ids.js';

/** The site registry the hub loads (sites.yaml): which gates exist, in which zone. */
export const SiteKindSchema = z.enum(['tourist', 'industrial', 'station']);

const retentionDays = z.number().int().min(0).max(36_500).optional();

/**
 * A site's own retention (days; 0 keeps forever; unset: the hub's HUB_RETENTION_* default): whole
 * events, their identity blocks and their crop references, and alert snapshots.
 */
export const SiteRetentionSchema = z.strictObject({ eventsDays: retentionDays, identityDays: retentionDays, cropsDays: retentionDays });
export type SiteRetention = z.infer<typeof SiteRetentionSchema>;

/** One site as the sites file seeds it and the administration screen edits it (stored in the database). */
export const SiteConfigSchema = z.strictObject({
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
      roles: z
        .array(z.enum(['admin', 'security', 'operator', 'manager']))
        .max(4)
        .default(['admin', 'security', 'operator']),
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
  retention: SiteRetentionSchema.optional(),
});

export const SitesConfigSchema = z.strictObject({ sites: z.array(SiteConfigSchema).min(1) });
export type SitesConfig = z.infer<typeof SitesConfigSchema>;
export type SiteConfig = z.infer<typeof SiteConfigSchema>;

/**
 * PUT /api/admin/sites/:siteId (admin): the whole site, checked as a unit — ids unique, every gate in
 * one of the site's zones, names trimmed and present.
 */
export const SiteSettingsSchema = SiteConfigSchema.superRefine((s, ctx) => {
  const dup = (ids: string[]) => ids.find((id, i) => ids.indexOf(id) !== i);
  const dz = dup(s.zones.map((z) => z.id));
  if (dz) ctx.addIssue({ code: 'custom', path: ['zones'], message: `zone id ${dz} is used twice` });
  const dg = dup(s.gates.map((g) => g.id));
  if (dg) ctx.addIssue({ code: 'custom', path: ['gates'], message: `gate id ${dg} is used twice` });
  s.gates.forEach((g, i) => {
    if (!s.zones.some((z) => z.id === g.zone))
      ctx.addIssue({
        code: 'custom',
        path: ['gates', i, 'zone'],
        message: `gate ${g.id} names zone ${g.zone}, which the site does not have`,
      });
  });
  for (const [path, v] of [
    [['name'], s.name],
    ...s.zones.map((z, i) => [['zones', i, 'name'], z.name]),
    ...s.gates.map((g, i) => [['gates', i, 'name'], g.name]),
  ] as [(string | number)[], string][])
    if (!v.trim()) ctx.addIssue({ code: 'custom', path, message: 'a name is needed' });
});
export type SiteSettings = z.infer<typeof SiteSettingsSchema>;

/** GET /api/admin/sites: every site as stored, and the hub-wide retention a site without its own uses. */
export const SiteSettingsListSchema = z.object({
  sites: z.array(SiteConfigSchema),
  defaults: z.object({ retention: z.object({ eventsDays: z.number(), identityDays: z.number(), cropsDays: z.number() }) }),
});
export type SiteSettingsList = z.infer<typeof SiteSettingsListSchema>;
