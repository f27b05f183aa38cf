"""The configuration is typed and checked when it is read (issue 14, cases 1, 5 and 8)."""

import re
from typing import get_args

import pytest
from helpers import LIEMERS, edited

from rsdlib import kpi, report
from rsdlib.cli import main
from rsdlib.config import ConfigError, Kpi, load_config
from rsdlib.national import config_text
from rsdlib.paths import CONFIG_DIR


@pytest.mark.parametrize("path", sorted(CONFIG_DIR.glob("*.toml")), ids=lambda p: p.name)
def test_shipped_configurations_are_valid(path):
    cfg = load_config(path)
    assert cfg.path == path and cfg.municipalities and cfg.publication.threshold >= 2


def test_national_configuration_is_valid(tmp_path):
    path = tmp_path / "nationaal.toml"
    path.write_text(config_text({"names": ["A-dorp", "B-stad"], "inhabitants": [10, 20]}),
                    encoding="utf-8")
    assert load_config(path).municipalities == ("A-dorp", "B-stad")


def test_the_kpi_ids_the_configuration_accepts_are_the_ones_the_code_computes():
    assert set(get_args(Kpi.model_fields["id"].annotation)) == set(kpi.KPIS)



@pytest.mark.parametrize("old, new, key, expected", [
    ("Duiven = 24937", "Duiven = 0", "inhabitants.2023.Duiven", "groter dan 0, gevonden 0"),
    ("Duiven = 24937", "Duiven = -24937", "inhabitants.2023.Duiven", "groter dan 0"),
    ("Duiven = 24937", "Duiven = 24937.5", "inhabitants.2023.Duiven", "geheel getal"),
    ("Duiven = 24937\n", "", "inhabitants.2023", "inwoners van Duiven ontbreekt"),
    ("Westervoort = 15114", "Westervoort = 15114\nArnhem = 160000", "inhabitants.2023.Arnhem",
     "geconfigureerde gemeente"),
    ("threshold = 5", 'threshold = "vijf"', "publication.threshold",
     "geheel getal, gevonden 'vijf'"),
    ("threshold = 5", "threshold = 0", "publication.threshold", "ten minste 2"),
    # 1 hides nothing: a "public" version without suppression
    ("threshold = 5", "threshold = 1", "publication.threshold", "ten minste 2, gevonden 1"),
    ('mode = "intern"', 'mode = "openbaar"', "publication.mode", "'intern' of 'publiek'"),
    ("zeros_disclosive = false", "zeros_disclosive = 0", "publication.zeros_disclosive",
     "true of false"),
    ("average_benefit_cost = 18000", "averge_benefit_cost = 18000",
     "kpi_period[2].finance.averge_benefit_cost", "onbekende sleutel"),
    ("first_year_factor = 0.5", "first_year_factor = 50", "kpi_period[2].finance.first_year_factor",
     "ten hoogste 1"),
    ('id = "werkfit"', 'id = "werkfitt"', "kpi_period[3].kpis[3].id", "een van 'plaatsingen'"),
    ("years = [2024, 2026]", "years = [2026, 2024]", "kpi_period[3].years", "op volgorde"),
    ("years = [2024, 2026]", "years = [2019, 2026]", "kpi_period[3].years", "overlapt"),
    ("years = [2024, 2026]", "years = [2024]", "kpi_period[3].years",
     "verwacht [eerste jaar, laatste jaar], gevonden [2024]"),
    ("months = 12", 'months = "12"', "kpi_period[1].kpis[5].months", "geheel getal"),
    ("target = 80, unit = \"%\", months = 12", "target = 80, unit = \"%\", steps = [\"1\"]",
     "kpi_period[1].kpis[5].steps", "kent deze optie niet"),
    ('municipality = "Zevenaar"', 'municipality = "Arnhem"', "buig[1].municipality",
     "geconfigureerde gemeente"),
    ("budget = 11574206", "budget = 0", "buig[1].budget", "groter dan 0"),
    ("[prognosis]", "[prognose]", "prognose", "onbekende sectie"),
    ("base_year = 2022", "base_year = 2024", "prognosis.change_pct.2023", "na base_year"),
    ('short = "RSD"', 'short = "Duiven"', "service.short", "geen gemeentenaam"),
    ('"Westervoort", "Zevenaar"]', '"Westervoort", "Zevenaar", "' + "Z" * 300 + '"]',
     "service.municipalities[4]", "te lang"),
    ('"Westervoort", "Zevenaar"]', '"Westervoort", "Zeven\\u001b[2Jaar"]',
     "service.municipalities[3]", "stuurtekens"),
])
def test_each_error_names_file_key_and_what_was_expected(tmp_path, old, new, key, expected):
    path = edited(tmp_path, old, new)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    lines = str(err.value).splitlines()
    assert any(line.startswith(f"{path}: {key}: ") and expected in line for line in lines), lines
    assert all(line.startswith(f"{path}: ") for line in lines)


@pytest.mark.parametrize("threshold, rule", [
    (2, "Publieke versie: aantallen gelijk aan 1 zijn vervangen door •"),
    (3, "Publieke versie: aantallen van 1 tot en met 2 zijn vervangen door •"),
    (5, "Publieke versie: aantallen van 1 tot en met 4 zijn vervangen door •"),
])
def test_the_suppression_rule_reads_right_for_each_valid_threshold(tmp_path, threshold, rule):
    cfg = load_config(edited(tmp_path, "threshold = 5", f"threshold = {threshold}"))
    text = report.suppression_rule(cfg)
    assert text.startswith(rule) and f"marge van ten minste {threshold})" in text


def test_every_error_is_reported_at_once(tmp_path):
    path = edited(tmp_path, "threshold = 5", 'threshold = "vijf"',
                  LIEMERS.replace("Duiven = 24937", "Duiven = 0"))
    message = str(pytest.raises(ConfigError, load_config, path).value)
    assert "publication.threshold" in message and "inhabitants.2023.Duiven" in message


@pytest.mark.parametrize("command", [
    ["report", "--export", "EXPORT", "--year", "2019", "--out", "OUT"],
    ["validate", "EXPORT", "--out", "OUT"],
    ["demo-data", "OUT"],
])
def test_the_command_refuses_a_bad_configuration_before_writing(tmp_path, capsys, command):
    path = edited(tmp_path, "Duiven = 24937", "Duiven = 0")
    (tmp_path / "EXPORT").mkdir()
    argv = [str(tmp_path / a) if a in ("EXPORT", "OUT") else a for a in command]
    assert main(["--config", str(path), *argv]) == 2
    err = capsys.readouterr().err
    assert re.search(r"inhabitants\.2023\.Duiven: verwacht een getal groter dan 0", err)
    assert "Traceback" not in err and not (tmp_path / "OUT").exists()


def test_a_relative_config_is_taken_from_where_the_user_typed_it(tmp_path, monkeypatch):
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "dienst.toml").write_text(LIEMERS, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    cfg = load_config("cfg/dienst.toml")
    assert cfg.path == tmp_path / "cfg" / "dienst.toml" and cfg.path.is_absolute()
    with pytest.raises(ConfigError, match=re.escape(f"{tmp_path / 'nergens.toml'}: "
                                                    "configuratiebestand niet gevonden")):
        load_config("nergens.toml")


@pytest.mark.parametrize("old, new, line", [
    ('id = "werkfit"', 'id = "werkfitt"',
     "kpi_period[3].kpis[3].id: verwacht een van 'plaatsingen', 'plaatsingen_doelgroep', "),
    ("months = 6 }", "months = 6, maanden = 6 }",
     "kpi_period[3].kpis[4].maanden: onbekende sleutel (verkeerd gespeld?)"),
    ('unit = "aantal" },', 'unit = "aantal", months = 6 },',
     "kpi_period[3].kpis[1].months: KPI plaatsingen kent deze optie niet (opties: geen)"),
    # the key as the file writes it (from), not the model's name for it
    ('steps = ["1", "2a"] }', 'steps = ["1", "2a"], from = ["1"] }',
     "kpi_period[3].kpis[6].from: KPI actief kent deze optie niet (opties: steps)"),
    ('target = 80, unit = "%", months = 6 }', 'target = 80, unit = "aantal", months = 6 }',
     "kpi_period[3].kpis[4].unit: KPI duurzaam heeft eenheid '%', gevonden 'aantal'"),
    (', to = ["5", "6n", "6z", "6g"] }', " }",
     "kpi_period[3].kpis[3].to: KPI werkfit heeft from en to nodig"),
])
def test_an_unknown_kpi_or_option_is_refused_with_one_message(tmp_path, old, new, line):
    path = edited(tmp_path, old, new)
    lines = str(pytest.raises(ConfigError, load_config, path).value).splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{path}: {line}"), lines
