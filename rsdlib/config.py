"""Service configuration (TOML): municipalities, targets, model parameters."""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rsdlib.paths import DEFAULT_CONFIG


class ConfigError(ValueError):
    """The configuration file is missing or inconsistent."""


@dataclass(frozen=True)
class Config:
    """A service: its name, municipalities in display order, and its parameters."""

    name: str
    short: str
    municipalities: tuple[str, ...]
    inhabitants: dict[int, dict[str, int]] = field(default_factory=dict)
    prognosis: dict[str, Any] = field(default_factory=dict)
    publication: dict[str, Any] = field(default_factory=dict)
    kpi_periods: tuple[dict[str, Any], ...] = ()
    finance: dict[str, Any] = field(default_factory=dict)
    buig: tuple[dict[str, Any], ...] = ()
    path: Path | None = None

    @property
    def scopes(self) -> tuple[str, ...]:
        """Every scope a batch with `--scope all` runs: the municipalities, then the service."""
        return (*self.municipalities, self.short)

    def municipality(self, name: str) -> str | None:
        """The configured spelling of a municipality name (case and spaces ignored)."""
        return _lookup(self.municipalities, name)

    def scope(self, name: str) -> str:
        """The configured spelling of a scope, or a ConfigError naming the valid ones."""
        found = _lookup(self.scopes, name)
        if found is None:
            raise ConfigError(f"onbekende scope {name!r}; kies uit {', '.join(self.scopes)} of all")
        return found


def _lookup(names: tuple[str, ...], name: str) -> str | None:
    """The name in `names` that `name` is, case and spacing ignored."""
    return _by_key(names).get(" ".join(str(name).split()).casefold())


@functools.cache
def _by_key(names: tuple[str, ...]) -> dict[str, str]:
    """`names` by their lookup key: a national export asks for 342 names 342 times a file."""
    return {n.casefold(): n for n in reversed(names)}


def load_config(path: str | Path | None = None) -> Config:
    """Read a service configuration; the default is RSD de Liemers."""
    path = Path(path) if path else DEFAULT_CONFIG
    if not path.is_file():
        raise ConfigError(f"{path}: configuratiebestand niet gevonden")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: geen geldige TOML ({exc})") from exc
    service = raw.get("service", {})
    munis = tuple(service.get("municipalities", ()))
    if not service.get("name") or not service.get("short") or not munis:
        raise ConfigError(f"{path}: [service] heeft name, short en municipalities nodig")
    if len({m.casefold() for m in munis}) != len(munis) or service["short"] in munis:
        raise ConfigError(f"{path}: gemeentenamen en de korte naam moeten uniek zijn")
    for name in (*munis, service["short"]):     # scope names become folder names
        if not str(name).strip() or any(ch in str(name) for ch in '/\\:\0') or str(
                name).startswith("."):
            raise ConfigError(f"{path}: naam {name!r} kan geen mapnaam zijn "
                              "(geen /, \\, :, en niet beginnen met een punt)")
    inhabitants = {int(y): dict(v) for y, v in raw.get("inhabitants", {}).items()}
    for year, counts in inhabitants.items():
        if set(counts) != set(munis):
            raise ConfigError(f"{path}: [inhabitants.{year}] moet precies de gemeenten noemen")
    return Config(
        name=service["name"],
        short=service["short"],
        municipalities=munis,
        inhabitants=inhabitants,
        prognosis=raw.get("prognosis", {}),
        publication={"mode": "intern", "threshold": 5, "zeros_disclosive": False}
        | raw.get("publication", {}),
        kpi_periods=tuple(raw.get("kpi_period", ())),
        finance=raw.get("finance", {}),
        buig=tuple(raw.get("buig", ())),
        path=path,
    )
