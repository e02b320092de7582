import type { PendingApproval } from './dto/pending-approval.dto';
import { oldestFirst } from './pending-approval';

const item = (id: string, requestedAt: string) => ({ id, requestedAt }) as PendingApproval;

describe('oldestFirst', () => {
  it('orders deployments and rollbacks together by request time, then by id, without touching its input', () => {
    const input = [
      item('rollback-b', '2026-01-01T10:00:02.000Z'),
      item('deploy-z', '2026-01-01T10:00:01.000Z'),
      item('deploy-a', '2026-01-01T10:00:02.000Z'),
    ];
    expect(oldestFirst(input).map((entry) => entry.id)).toEqual(['deploy-z', 'deploy-a', 'rollback-b']);
    expect(input.map((entry) => entry.id)).toEqual(['rollback-b', 'deploy-z', 'deploy-a']);
  });
});
