import { applyDecorators } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiQuery } from '@nestjs/swagger';
import type { z } from 'zod';
import { openApiQueryParams, openApiSchema } from './openapi-schema.js';

/** Documents a route's query and response from the shared schemas. */
export const ApiFromSchemas = (query: z.ZodType | null, response: z.ZodType) =>
  applyDecorators(
    ...(query ? openApiQueryParams(query).map((p) => ApiQuery({ name: p.name, required: p.required, schema: p.schema as never })) : []),
    ApiOkResponse({ schema: openApiSchema(response) as never }),
    ApiBadRequestResponse({ description: 'A query parameter is missing or invalid; the message names it.' }),
  );
