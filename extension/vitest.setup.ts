// The extension's pages and background have IndexedDB (token-vault.ts keeps its key there); the
// tests' Node has not.
import 'fake-indexeddb/auto'
