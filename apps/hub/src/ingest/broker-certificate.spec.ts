import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hubConfigFromEnv } from '../config/hub-config.js';
import { startHub } from '../hub-app.js';
import { createTestTls } from '../../../../test/support/test-tls.js';
import { startTwoSiteHub } from '../../../../test/support/two-site-hub.js';
import { TEST_ADMIN_CONFIG } from '../../../../test/support/hub-auth.js';

test("a hub whose external broker's TLS certificate does not verify refuses to start, with the reason", { timeout: 60_000 }, async () => {
  const tls = await createTestTls();
  // A broker with a real TLS listener: another hub's embedded one.
  const { hub: broker, dir } = await startTwoSiteHub({ embeddedMqttTlsCert: tls.certFile, embeddedMqttTlsKey: tls.keyFile });
  try {
    const cfg = (caFile: string) =>
      hubConfigFromEnv(
        {
          MQTT_URL: `mqtts://127.0.0.1:${broker.mqttPort}`,
          MQTT_CA_FILE: caFile,
          MQTT_USERNAME: 'hub',
          MQTT_PASSWORD: 'not-checked-before-tls',
        },
        {
          port: 0,
          sitesFile: `${dir}/sites.yaml`,
          sqlitePath: `${dir}/other.db`,
          jwtSecretFile: `${dir}/jwt2.key`,
          dataKeyFile: `${dir}/keys2.json`,
          retentionIntervalMin: 0,
          ...TEST_ADMIN_CONFIG,
        },
      );
    const t0 = Date.now();
    await assert.rejects(
      startHub(cfg(tls.otherCaFile), false),
      /TLS certificate refused \((SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\)/,
    );
    assert.ok(Date.now() - t0 < 5000, 'at once, not after the readiness timeout');
  } finally {
    await broker.close();
  }
});
