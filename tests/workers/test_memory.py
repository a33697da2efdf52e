"""Freed memory going back to the system after a full run (workers.memory)."""

import pytest

from workers import memory


def test_freed_heap_memory_goes_back_where_the_c_library_can() -> None:
    if memory._malloc_trim() is None:
        pytest.skip("this C library has no malloc_trim")
    # Every other block freed: free pages between live blocks, which glibc keeps until trimmed.
    blocks = [bytearray(64 * 1024) for _ in range(512)]
    del blocks[::2]
    assert memory.release_free_memory()
    assert len(blocks) == 256


def test_without_malloc_trim_it_does_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(memory, "_malloc_trim", lambda: None)
    assert memory.release_free_memory() is False
