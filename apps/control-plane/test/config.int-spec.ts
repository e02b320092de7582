import { Client, type Notification } from 'pg';
import { expectEventually } from '@hotswap/testing';
import { CONFIG_SNAPSHOT_CHANNEL } from '../src/modules/snapshots/snapshot-store';
import { SnapshotsService } from '../src/modules/snapshots/snapshots.service';
import { API, latestSnapshotVersion, startTestApp, type TestApp } from './support/test-app';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});

afterAll(async () => {
  await t?.close();
});

describe('config versions', () => {
  it('starts from the initial empty snapshot', async () => {
    const snapshots = t.app.get(SnapshotsService);
    const latest = await snapshots.getLatest();
    expect(latest.routes).toEqual([]);
    expect(latest.backends).toEqual([]);
    expect(latest.version).toBe(await latestSnapshotVersion(t.sql));
    expect(Object.isFrozen(latest)).toBe(true);
  });

  it('lists versions newest first, serves each snapshot and diffs two of them', async () => {
    const initial = await latestSnapshotVersion(t.sql);
    const backend = await t.request('POST', `${API}/backends`, {
      body: { name: 'diffed', url: 'http://127.0.0.1:21000' },
    });
    const route = await t.request('POST', `${API}/routes`, {
      body: { name: 'diffed-route', pathPattern: '/diffed/*', backendIds: [backend.body.backendId] },
    });
    await t.request('PUT', `${API}/routes/${route.body.routeId}`, { body: { timeoutSeconds: 5 } });
    const latest = await latestSnapshotVersion(t.sql);
    expect(latest).toBe(initial + 3);

    const list = await t.request('GET', `${API}/config/versions?limit=2`);
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ total: 4, limit: 2, offset: 0 });
    expect(list.body.items.map((v: { version: number }) => v.version)).toEqual([latest, latest - 1]);
    expect(list.body.items[0]).toMatchObject({ previousVersion: latest - 1, routes: 1, backends: 1 });
    expect(list.body.items[0].hash).toMatch(/^[0-9a-f]{64}$/);

    const snapshot = await t.request('GET', `${API}/config/versions/${latest}`);
    expect(snapshot.status).toBe(200);
    expect(snapshot.body).toMatchObject({
      version: latest,
      routes: [{ routeId: route.body.routeId, timeoutSeconds: 5 }],
    });
    await expect(t.app.get(SnapshotsService).get(latest)).resolves.toMatchObject({ hash: snapshot.body.hash });

    const diff = await t.request('GET', `${API}/config/diff?from=${initial}&to=${latest}`);
    expect(diff.status).toBe(200);
    expect(diff.body).toMatchObject({
      fromVersion: initial,
      toVersion: latest,
      routes: { added: [route.body.routeId], removed: [], changed: [] },
      backends: { added: [backend.body.backendId] },
    });
    const lastStep = await t.request('GET', `${API}/config/diff?from=${latest - 1}&to=${latest}`);
    expect(lastStep.body.routes.changed).toEqual([
      { id: route.body.routeId, changes: [{ field: 'timeoutSeconds', before: 30, after: 5 }] },
    ]);
  });

  it('answers 404 for an unknown version and 400 for a bad one', async () => {
    const missing = await t.request('GET', `${API}/config/versions/999999`);
    expect(missing.status).toBe(404);
    const bad = await t.request('GET', `${API}/config/versions/abc`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([expect.objectContaining({ field: 'version' })]);
    const noRange = await t.request('GET', `${API}/config/diff?from=1`);
    expect(noRange.status).toBe(400);
    expect(noRange.body.error.details.map((d: { field: string }) => d.field)).toEqual(['to']);
  });

  it('notifies hotswap_config_snapshot listeners with the new version once the change commits', async () => {
    const listener = new Client({ connectionString: t.db.url });
    await listener.connect();
    const received: string[] = [];
    listener.on('notification', (message: Notification) => {
      if (message.channel === CONFIG_SNAPSHOT_CHANNEL && message.payload) received.push(message.payload);
    });
    await listener.query(`LISTEN ${CONFIG_SNAPSHOT_CHANNEL}`);
    try {
      const res = await t.request('POST', `${API}/backends`, {
        body: { name: 'notified', url: 'http://127.0.0.1:21001' },
      });
      expect(res.status).toBe(201);
      const version = await latestSnapshotVersion(t.sql);
      await expectEventually(() => expect(received).toEqual([String(version)]));
      const rejected = await t.request('POST', `${API}/backends`, { body: { name: 'notified', url: 'http://x:1' } });
      expect(rejected.status).toBe(409);
      // A write that rolls back notifies nobody: a later successful write is the next notification.
      await t.request('POST', `${API}/backends`, { body: { name: 'notified-2', url: 'http://127.0.0.1:21002' } });
      await expectEventually(() => expect(received).toEqual([String(version), String(version + 1)]));
    } finally {
      await listener.end();
    }
  });
});
