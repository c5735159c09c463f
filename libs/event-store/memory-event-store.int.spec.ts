import { eventStoreConformance } from './conformance/event-store.conformance';
import { MemoryEventStore } from './memory-event-store';

eventStoreConformance('MemoryEventStore', async () => new MemoryEventStore());

eventStoreConformance('MemoryEventStore (EventStoreDB-packed positions)', async () => new MemoryEventStore({ positions: 'packed' }));
