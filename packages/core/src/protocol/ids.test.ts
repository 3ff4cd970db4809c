import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { oid, originName, uuid, uuid3 } from './ids.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('ids', () => {
  it('uuid() is a fresh UUID4', () => {
    expect(uuid()).toMatch(UUID);
    expect(uuid()).not.toBe(uuid());
  });

  it('uuid3 matches Python uuid.uuid3', () => {
    // python3 -c "import uuid; print(uuid.uuid3(uuid.NAMESPACE_OID, 'vm-1a2b-0-0'))"
    const ns = Buffer.from('6ba7b8129dad11d180b400c04fd430c8', 'hex');
    expect(uuid3(ns, 'vm-1a2b-0-0')).toBe('75fcd4eb-c730-3f98-99c6-98cb8f356b86');
  });

  it('oid() is a UUID3-shaped string, new per call', () => {
    const a = oid();
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-3[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(oid()).not.toBe(a);
  });

  it('originName() is gen<pid>@<host>', () => {
    expect(originName()).toBe(`gen${process.pid}@${hostname()}`);
  });
});
