// The extension's pages and background have IndexedDB (vault.ts keeps its key there); the
// tests' Node has not.
import 'fake-indexeddb/auto'
