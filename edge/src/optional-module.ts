import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** An optional dependency that is not installed here (its native binding did not build, or it was left out). */
export class OptionalModuleMissing extends Error {
  constructor(
    readonly moduleName: string,
    feature: string,
    cause: unknown,
  ) {
    super(
      `${feature} needs the npm package ${moduleName}, an optional dependency that is not installed here ` +
        `(its native binding did not build on this machine): run \`npm ci\` on a machine with a C++ toolchain (python3, make, g++), or \`npm install ${moduleName}\``,
      { cause },
    );
    this.name = 'OptionalModuleMissing';
  }
}

const loaded = new Map<string, unknown>();

/**
 * Loads an optional dependency the first time a configured device needs it, so a gate box without
 * a serial port or Modbus controller installs and runs without those bindings. Only "not installed"
 * becomes {@link OptionalModuleMissing}; any other load error (a broken binding) is rethrown as is.
 */
export function requireOptional<T>(moduleName: string, feature: string, load: (name: string) => unknown = require): T {
  if (loaded.has(moduleName)) return loaded.get(moduleName) as T;
  let mod: unknown;
  try {
    mod = load(moduleName);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') throw new OptionalModuleMissing(moduleName, feature, e);
    throw e;
  }
  loaded.set(moduleName, mod);
  return mod as T;
}
