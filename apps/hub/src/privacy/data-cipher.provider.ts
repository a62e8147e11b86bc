import type { Provider } from '@nestjs/common';
import { HUB_CONFIG, type HubConfig } from '../config/hub-config.js';
import { DataCipher } from './data-cipher.js';
import { KeyRing } from './key-ring.js';

/** One DataCipher per hub, its keys from HUB_DATA_KEY / the key file (created at first start). */
export const dataCipherProvider: Provider = {
  provide: DataCipher,
  inject: [HUB_CONFIG],
  useFactory: (cfg: HubConfig) => new DataCipher(KeyRing.load(cfg)),
};
