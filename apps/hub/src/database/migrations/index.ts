import { InitialSchema1764000000000 } from './1764000000000-initial-schema.js';

/** In order; TypeORM records applied ones in `migrations` and runs the rest at start. */
export const hubMigrations = [InitialSchema1764000000000];
