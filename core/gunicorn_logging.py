"""gunicorn loggers whose lines never carry a credential (``?apiKey=...`` is masked).

``MaskingLogger`` for ``LOG_FORMAT=text``; ``JsonLogger`` for ``LOG_FORMAT=json`` writes
gunicorn's own lines (start-up, worker exits, and access lines if enabled) in the same JSON
shape as the service's (``core.logging.JsonFormatter``). ``gunicorn.conf.py`` picks one.
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from core.logging import JsonFormatter, mask_secrets

MASKED_ATOMS = ("r", "q", "U", "{raw_uri}e", "f")


class MaskingLogger(Logger):
    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        for name in MASKED_ATOMS:
            if isinstance(atoms.get(name), str):
                atoms[name] = mask_secrets(atoms[name])
        return atoms


class JsonLogger(MaskingLogger):
    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        formatter = JsonFormatter("%(levelname)s %(name)s %(message)s %(request_id)s")
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(formatter)
