import { randomBytes } from 'node:crypto';
import { exportKeys, importKeys, KeyBackupError } from './key-backup';
import { MemoryKeyStore } from './memory-key-store';
import { PersonalDataVault } from './vault';

async function backupOf(store: MemoryKeyStore): Promise<string[]> {
  const lines: string[] = [];
  await exportKeys(store, (line) => {
    lines.push(line);
  });
  return lines;
}

describe('personal-data key backups', () => {
  const master = randomBytes(32);

  it('restores keys so that another installation opens the same data, and keeps erased users erased', async () => {
    const source = new MemoryKeyStore();
    const vault = new PersonalDataVault(source, master);
    const keys = await vault.keys(['alice', 'bob'], true);
    await vault.destroy('bob');
    const lines = await backupOf(source);
    expect(lines).toHaveLength(3);

    const target = new MemoryKeyStore();
    const targetVault = new PersonalDataVault(target, master);
    expect(await importKeys(target, targetVault, lines)).toEqual({ restored: 1, erased: 1, kept: 0 });
    const restored = await targetVault.keys(['alice', 'bob'], false);
    expect(restored.get('alice')).toEqual(keys.get('alice'));
    expect(restored.get('bob')).toBe('destroyed');
  });

  it('never brings an erased user back from an older backup', async () => {
    const store = new MemoryKeyStore();
    const vault = new PersonalDataVault(store, master);
    await vault.keys(['alice'], true);
    const before = await backupOf(store);
    await vault.destroy('alice');
    expect(await importKeys(store, vault, before)).toEqual({ restored: 0, erased: 1, kept: 0 });
    expect((await new PersonalDataVault(store, master).keys(['alice'], false)).get('alice')).toBe('destroyed');
  });

  it('refuses a backup whose keys do not open under this master key, writing nothing', async () => {
    const source = new MemoryKeyStore();
    await new PersonalDataVault(source, master).keys(['alice', 'bob'], true);
    const lines = await backupOf(source);
    const target = new MemoryKeyStore();
    const error = await importKeys(target, new PersonalDataVault(target, randomBytes(32)), lines).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeyBackupError);
    expect((error as KeyBackupError).line).toBe(2);
    expect(await target.list(null, 10)).toEqual([]);
  });

  it('refuses what is not a key backup, naming the line', async () => {
    const store = new MemoryKeyStore();
    const vault = new PersonalDataVault(store, master);
    await expect(importKeys(store, vault, ['{"format":"something-else"}'])).rejects.toThrow(/line 1/);
    await expect(
      importKeys(store, vault, ['{"format":"parley-personal-data-keys/1"}', '{"ownerId":"a","state":"active"}']),
    ).rejects.toThrow(/line 2: state/);
    await expect(importKeys(store, vault, ['{"format":"parley-personal-data-keys/1"}', 'not json'])).rejects.toThrow(/line 2: not JSON/);
  });
});
