import assert from 'node:assert/strict';
import { test } from 'node:test';
import { brokerTarget } from '../../../../libs/config/src/broker-urls.js';
import { hubBrokerUrls, hubConfigFromEnv } from './hub-config.js';

test('MQTT_URL: one broker or the comma-separated nodes of a cluster (mqtt.js servers rotation); bad lists refused by name', () => {
  const one = hubConfigFromEnv({ MQTT_URL: 'mqtt://broker:1883' });
  assert.deepEqual(hubBrokerUrls(one), ['mqtt://broker:1883']);
  assert.deepEqual(brokerTarget(hubBrokerUrls(one)).options, {});

  const cluster = hubConfigFromEnv({ MQTT_URL: 'mqtt://nats-1:1883, mqtt://nats-2,mqtt://[::1]:1884' });
  assert.deepEqual(hubBrokerUrls(cluster), ['mqtt://nats-1:1883', 'mqtt://nats-2', 'mqtt://[::1]:1884']);
  assert.deepEqual(brokerTarget(hubBrokerUrls(cluster)).options.servers, [
    { host: 'nats-1', port: 1883, protocol: 'mqtt' },
    { host: 'nats-2', port: 1883, protocol: 'mqtt' },
    { host: '::1', port: 1884, protocol: 'mqtt' },
  ]);
  assert.deepEqual(hubBrokerUrls(hubConfigFromEnv({})), [], 'unset: the embedded broker');

  const bad = (url: string, re: RegExp) => assert.throws(() => hubConfigFromEnv({ MQTT_URL: url }), re);
  bad('http://broker:1883', /MQTT_URL must start with mqtt:\/\//);
  bad('mqtt://a:1883,http://b:1883', /MQTT_URL's node 2 must start with mqtt:\/\//);
  bad('mqtt://a:1883,mqtts://b:8883', /every broker in MQTT_URL uses one scheme \(mqtt:\/\/\), not mqtts:\/\//);
  bad('mqtt://a:1883,mqtt://a:1883', /mqtt:\/\/a:1883 is listed twice in MQTT_URL/);
  bad('mqtt://hub:secret@a:1883', /put the login in MQTT_USERNAME\/MQTT_PASSWORD, not in the URL/);
  bad('mqtt://a:1883,', /MQTT_URL's node 2 must start with mqtt:\/\//);
});

test('listeners default to loopback (HTTP and the embedded broker alike); HUB_TRUST_PROXY is off unless set and checked', () => {
  const d = hubConfigFromEnv({});
  assert.equal(d.host, '127.0.0.1');
  assert.equal(d.embeddedMqttHost, '127.0.0.1');
  assert.deepEqual(d.trustProxy, []);
  assert.deepEqual(hubConfigFromEnv({ HUB_TRUST_PROXY: '172.30.0.10, 10.0.0.0/8,loopback' }).trustProxy, [
    '172.30.0.10',
    '10.0.0.0/8',
    'loopback',
  ]);
  assert.throws(() => hubConfigFromEnv({ HUB_TRUST_PROXY: 'nginx' }), /HUB_TRUST_PROXY: "nginx" is not an IP address/);
});
