import { readStoreConformance } from './conformance/read-store.conformance';
import { MemoryReadStore } from './memory-read-store';

readStoreConformance('MemoryReadStore', async () => new MemoryReadStore());
