"""The domain of a service is its validated configuration (issue 23): one schema, no second
reading of the file. What each shipped configuration's domain holds was recorded from the code
before the domain was rebuilt on the validated sections (tests/fixtures/domain/NAME.json):
the rebuilt domain must hold the same, field by field."""

import json
from pathlib import Path

import pytest

from rsdlib.config import load_config
from rsdlib.paths import CONFIG_DIR

FIXTURES = Path(__file__).parent / "fixtures" / "domain"


def fields(dom) -> dict:
    """Every field and derived view of a domain, through its public attributes, as JSON."""
    steps = [[s.code, s.label, list(s.bijlage_1)] for s in dom.steps]
    return {
        "ladder_name": dom.ladder_name,
        "steps": steps,
        "codes": list(dom.codes),
        "order": list(dom.order),
        "no_step": list(dom.no_step),
        "empty_label": dom.empty_label,
        "active_steps": list(dom.active_steps),
        "step_labels": [[code, label] for code, label in dom.step_labels.items()],
        "units": [[u.code, u.label, u.short, list(u.steps)] for u in dom.units],
        "above": [list(dom.above(u.steps)) for u in dom.units],
        "nug_unit": list(dom.nug_unit),
        "no_unit": list(dom.no_unit),
        "unit_rows": [[code, *row] for code, row in dom.unit_rows.items()],
        "age_bands": [[b.label, b.low, b.high] for b in dom.age_bands],
        "age": [list(b) for b in dom.age],
        "duration_bands": [[b.label, b.low, b.high] for b in dom.duration_bands],
        "duration": [list(b) for b in dom.duration],
        "duration_none": dom.duration_none,
        "outflow_reasons": [[r.code, r.label, r.cls] for r in dom.outflow_reasons],
        "placement_reasons": list(dom.placement_reasons.items()),
        "indirect_reasons": list(dom.indirect_reasons.items()),
        "reason_codes": list(dom.reason_codes),
        "title": dom.title,
        "notes": list(dom.notes.items()),
        "summary": dom.summary(),
    }


CONFIGS = [*sorted(CONFIG_DIR.glob("*.toml")), FIXTURES / "defaults.toml"]


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.stem)
def test_each_shipped_domain_holds_what_it_held_before_the_rebuild(path):
    """Every configuration in config/, and one that leaves every optional key out (the
    defaults, declared once, give what the defaults gave)."""
    expected = json.loads((FIXTURES / f"{path.stem}.json").read_text(encoding="utf-8"))
    got = json.loads(json.dumps(fields(load_config(path).domain)))
    assert list(got) == list(expected)
    for name in expected:
        assert got[name] == expected[name], f"{path.name}: {name}"
