import { z } from 'zod';

/** OpenAPI schema objects straight from the shared zod schemas, so the docs cannot drift. */
export const openApiSchema = (schema: z.ZodType) =>
  z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;

/** Query parameters for @ApiQuery, one per property of an object schema. */
export function openApiQueryParams(schema: z.ZodType): { name: string; required: boolean; schema: Record<string, unknown> }[] {
  const json = openApiSchema(schema) as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({ name, required: (json.required ?? []).includes(name), schema: s }));
}
