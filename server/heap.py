"""Keep the garbage collector off the objects that live as long as the process."""

from __future__ import annotations

import gc

_frozen = False


def freeze_startup_objects() -> None:
    """Move what is alive once the app has started (schema, mappers, modules, settings) to
    the permanent generation, once per process: a full collection otherwise rescans those
    ~200,000 objects during requests (the organisation's kpiSummary spent ~150 ms a request
    on it in the bench). Objects made later are collected as usual."""
    global _frozen
    if _frozen:
        return
    gc.collect()
    gc.freeze()
    _frozen = True
