import { eventStoreConformance } from './conformance/event-store.conformance';
import { MemoryEventStore } from './memory-event-store';

eventStoreConformance('MemoryEventStore', async () => new MemoryEventStore());
