"""Write files so that a reader never sees half of one."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["replaced_on_success"]


@contextmanager
def replaced_on_success(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; it becomes ``target`` only if the block completes.

    The temporary file (``.NAME.part-PID``) is removed on any error or interruption,
    and the rename is atomic on POSIX, so ``target`` is either the old file or the
    whole new one.
    """
    target = Path(target)
    temporary = target.with_name(f".{target.name}.part-{os.getpid()}")
    try:
        yield temporary
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
