"""Course content as files: loading with line numbers, checking, rendering and syncing."""
