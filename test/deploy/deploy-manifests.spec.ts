import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
}

/** kubernetes-models' class for an apiVersion + kind (its JSON-schema validation runs offline). */
async function model(o: K8sObject): Promise<{ validate(): void }> {
  const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
  const path = group ? `kubernetes-models/${group}/${version}/${o.kind}` : `kubernetes-models/${version}/${o.kind}`;
  const mod = (await import(path)) as Record<string, new (x: unknown) => { validate(): void }>;
  return new mod[o.kind]!(o);
}

test('Kubernetes manifests validate against the Kubernetes schemas and fit together (probes on /health, HPA, PDB)', async () => {
  const dir = 'deploy/kubernetes';
  const docs: K8sObject[] = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => d.toJS() as K8sObject));
  for (const o of docs) (await model(o)).validate();
  const kinds = new Set(docs.map((o) => o.kind));
  for (const k of ['Deployment', 'Service', 'ConfigMap', 'Secret', 'HorizontalPodAutoscaler', 'PodDisruptionBudget'])
    assert.ok(kinds.has(k), `${k} missing`);

  const dep = docs.find((o) => o.kind === 'Deployment')! as K8sObject & {
    spec: {
      replicas: number;
      selector: { matchLabels: Record<string, string> };
      template: {
        spec: {
          containers: {
            readinessProbe: { httpGet: { path: string } };
            livenessProbe: { httpGet: { path: string } };
            envFrom: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
          }[];
        };
      };
    };
  };
  const c = dep.spec.template.spec.containers[0]!;
  assert.equal(c.readinessProbe.httpGet.path, '/health');
  assert.equal(c.livenessProbe.httpGet.path, '/health');
  assert.ok(dep.spec.replicas >= 2);
  for (const ref of c.envFrom) {
    const name = ref.configMapRef?.name ?? ref.secretRef?.name;
    assert.ok(
      docs.some((o) => (o.kind === 'ConfigMap' || o.kind === 'Secret') && o.metadata.name === name),
      `envFrom ${name} exists`,
    );
  }
  const hpa = docs.find((o) => o.kind === 'HorizontalPodAutoscaler')! as K8sObject & {
    spec: { scaleTargetRef: { kind: string; name: string }; minReplicas: number };
  };
  assert.deepEqual([hpa.spec.scaleTargetRef.kind, hpa.spec.scaleTargetRef.name], ['Deployment', dep.metadata.name]);
  assert.ok(hpa.spec.minReplicas >= 2);
  const pdb = docs.find((o) => o.kind === 'PodDisruptionBudget')! as K8sObject & {
    spec: { selector: { matchLabels: Record<string, string> } };
  };
  assert.deepEqual(pdb.spec.selector.matchLabels, dep.spec.selector.matchLabels);
  const svc = docs.find((o) => o.kind === 'Service')! as K8sObject & { spec: { selector: Record<string, string> } };
  assert.deepEqual(svc.spec.selector, dep.spec.selector.matchLabels);

  // And the validator does catch a broken manifest.
  const broken = structuredClone(dep) as unknown as { spec: { replicas: unknown } };
  broken.spec.replicas = 'two';
  await assert.rejects(model(broken as unknown as K8sObject).then((m) => m.validate()));
});

test('compose file: two hub instances sharing PostgreSQL, Redis and the broker behind the load balancer', () => {
  const compose = parse(readFileSync('deploy/compose.yaml', 'utf8'), { merge: true }) as {
    services: Record<string, { environment?: Record<string, string>; healthcheck?: unknown }>;
  };
  const hubs = Object.entries(compose.services).filter(([, s]) => s.environment?.HUB_INSTANCE_ID);
  assert.equal(hubs.length, 2);
  const [a, b] = hubs.map(([, s]) => s.environment!);
  assert.notEqual(a!.HUB_INSTANCE_ID, b!.HUB_INSTANCE_ID);
  for (const k of ['DATABASE_URL', 'REDIS_URL', 'MQTT_URL', 'HUB_INGEST_GROUP', 'HUB_JWT_SECRET'])
    assert.equal(a![k], b![k], `${k} shared`);
  assert.equal(a!.HUB_INGEST_SHARED, 'true');
  for (const s of ['postgres', 'redis', 'mosquitto', 'lb']) assert.ok(compose.services[s], `${s} service`);
  for (const [, s] of hubs) assert.ok(s.healthcheck, 'hub health check');
  const lb = readFileSync('deploy/nginx/hub-lb.conf', 'utf8');
  for (const [name] of hubs) assert.match(lb, new RegExp(`server ${name}:3000`));
});

test('systemd unit for edge boxes passes systemd-analyze verify (and a broken copy does not)', () => {
  const unit = 'deploy/systemd/cong-ai-edge.service';
  const ok = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  const dir = mkdtempSync(join(tmpdir(), 'cg-unit-'));
  const bad = join(dir, 'cong-ai-edge.service');
  writeFileSync(bad, readFileSync(unit, 'utf8').replace('ExecStart=/usr/bin/node', 'ExecStart=no-such-node'));
  assert.notEqual(spawnSync('systemd-analyze', ['verify', bad], { encoding: 'utf8' }).status, 0);
});
