import { readFileSync } from 'node:fs';
import { parse, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { describeSchemaError } from '../../contracts/src/index.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads a YAML file and validates it; every failure names the file and what is wrong in it. */
export function loadYamlConfig<S extends z.ZodType>(path: string, schema: S): z.infer<S> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read config file ${path}: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (e) {
    const where = e instanceof YAMLParseError && e.linePos ? ` at line ${e.linePos[0].line}` : '';
    throw new ConfigError(`config file ${path} is not valid YAML${where}: ${(e as Error).message.split('\n')[0]}`);
  }
  const r = schema.safeParse(raw);
  if (!r.success) throw new ConfigError(`config file ${path} is invalid: ${describeSchemaError(r.error)}`);
  return r.data;
}
