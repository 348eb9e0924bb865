"""Find the weights that ship with the package."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["DEFAULT_MODEL_NAME", "default_model_path"]

DEFAULT_MODEL_NAME = "stance-v1"


def default_model_path() -> Path:
    """Return the base path (no suffix) of the shipped model.

    An installed wheel carries the weights in ``stance/models``; an editable install
    or a source checkout finds them in the repository's ``models/`` folder.
    """
    packaged = resources.files("stance") / "models" / f"{DEFAULT_MODEL_NAME}.json"
    if packaged.is_file():
        return Path(str(packaged)).with_suffix("")
    return Path(__file__).resolve().parent.parent / "models" / DEFAULT_MODEL_NAME
