"""A gunicorn logger whose access lines never carry a credential (``?apiKey=...`` is masked)."""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from apiservice.logging import mask_secrets

MASKED_ATOMS = ("r", "q", "U", "{raw_uri}e", "f")


class MaskingLogger(Logger):
    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        for name in MASKED_ATOMS:
            if isinstance(atoms.get(name), str):
                atoms[name] = mask_secrets(atoms[name])
        return atoms
