import { Logger } from '@nestjs/common';
import { ConfigError } from '../../../libs/config/src/load-yaml-config.js';
import { hubConfigFromEnv } from './config/hub-config.js';
import { startHub } from './hub-app.js';

startHub(hubConfigFromEnv())
  // Through Nest's logger, so LOG_FORMAT=json keeps every line JSON.
  .then((hub) => new Logger('Hub').log(`hub ready: ${hub.url} (IOC wall), ${hub.url}/docs (API)`))
  .catch((e: Error) => {
    console.error(e instanceof ConfigError ? e.message : e);
    process.exit(1);
  });
