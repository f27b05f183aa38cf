"""A synthetic export at national scale, generated with numpy (no per-client Python loops).

About 342 municipalities and 400,000 clients on the caseload: year-end snapshots 2017-2025
and the month ends of the last year, with the inflow, outflow and step changes that go with
them, and a configuration file of its own. For the benchmark and for scale tests; its
figures are plausible, not published ones. Nothing here is real personal data.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

FIRST, LAST = 2018, 2025
STEPS = np.array(["1", "2a", "2b", "3", "4", "5", "6n", "6z", "6g"], dtype=object)
STEP_P = np.array([.25, .2, .2, .015, .1, .03, .015, .08, .09])
STAY_YEARS = np.array([7.0, 5.0, 3.0, 2.5, 2.0, 1.0, 2.5, 4.0, 1.8])
PLACEMENT = np.array(["ARBEID", "PARTTIME", "STUDIE", "ZELFSTANDIG"], dtype=object)
INDIRECT = np.array(["VERHUIZING", "PARTNER", "PENSIOEN", "ANDERE_UITKERING", "DETENTIE",
                     "OVERLIJDEN", "OVERIG"], dtype=object)


def municipalities(n: int, rng: np.random.Generator) -> tuple[list[str], np.ndarray]:
    """Names and inhabitants: sizes spread like Dutch municipalities (about 18 million)."""
    sizes = np.exp(rng.normal(10.4, 0.75, n))
    sizes = np.round(sizes * 17_900_000 / sizes.sum()).astype(np.int64)
    return [f"Gemeente {i + 1:03d}" for i in range(n)], sizes


def snapshot_dates() -> list[pd.Timestamp]:
    """Year ends 2017-2025 and the month ends of the last year."""
    ends = [pd.Timestamp(y, 12, 31) for y in range(FIRST - 1, LAST + 1)]
    months = [pd.Timestamp(LAST, m, 1) + pd.offsets.MonthEnd(0) for m in range(1, 12)]
    return sorted(set(ends + months))


def _days(values: np.ndarray) -> np.ndarray:
    return values.astype("timedelta64[D]")


def generate(n_munis: int = 342, clients: int = 400_000, seed: int = 2025) -> tuple[dict, dict]:
    """The five files as frames of text cells, and the configuration as a dict."""
    rng = np.random.default_rng(seed)
    names, inhabitants = municipalities(n_munis, rng)
    weights = inhabitants / inhabitants.sum()
    start0 = np.datetime64(f"{FIRST - 1}-12-31")
    end_all = np.datetime64(f"{LAST}-12-31")
    months = (LAST - FIRST + 1) * 12
    inflow_per_month = int(clients * 0.022)
    n_new = inflow_per_month * months
    n = clients + n_new

    u = rng.normal(size=n)
    rank = np.argsort(np.argsort(u + rng.normal(0, 0.7, n))) / n
    step = np.searchsorted(np.cumsum(STEP_P[::-1]), rank, side="right").clip(0, 8)
    step = 8 - step                                   # far from work: low steps
    gemeente = rng.choice(n_munis, size=n, p=weights)
    nugger = rng.random(n) < 0.12
    new = np.arange(n) >= clients
    start = np.empty(n, dtype="datetime64[D]")
    start[~new] = start0 - _days(rng.exponential(4 * 365, clients).astype(np.int64) + 1)
    month_of = rng.integers(0, months, n_new)
    first = np.array([np.datetime64(f"{FIRST + m // 12}-{m % 12 + 1:02d}-01") for m in range(months)])
    start[new] = first[month_of] + _days(rng.integers(0, 28, n_new))
    stay = rng.exponential(STAY_YEARS[step] * 365).astype(np.int64) + 20
    end = np.where(new, start, start0) + _days(stay)
    age0 = np.clip(np.round(38 + 11 * u + rng.normal(0, 9, n)), 18, 64).astype(np.int64)
    birth = start0 - _days(age0 * 365 + rng.integers(0, 365, n))
    aow = birth + _days(np.full(n, 67 * 365 + 16))
    pension = aow < end
    end = np.where(pension, np.maximum(aow, start + 1), end)
    sex = np.where(rng.random(n) < 0.55, "V", "M").astype(object)
    cls = rng.choice(np.array(["M", "S", "O"]), size=n, p=[0.2, 0.12, 0.68])
    doelgroep = rng.random(n) < 0.1
    act, lks, onth = rng.random(n), rng.random(n), rng.random(n)
    change = start + _days(rng.exponential(2 * 365, n).astype(np.int64) + 30)
    forward = rng.random(n) < 0.62
    step2 = np.where(forward, np.minimum(step + rng.integers(1, 3, n), 8), np.maximum(step - 1, 0))
    dossier = np.where(nugger, "", np.char.add("D", np.arange(n).astype(str))).astype(object)
    ids = np.char.add("K", np.char.zfill(np.arange(n).astype(str), 7)).astype(object)
    muni_names = np.array(names, dtype=object)

    def fmt(d: np.ndarray) -> np.ndarray:
        return pd.DatetimeIndex(d).strftime("%d-%m-%Y").to_numpy(dtype=object)

    snaps = []
    for day in snapshot_dates():
        d = np.datetime64(day.date())
        on = np.flatnonzero((start <= d) & (end > d))
        s = np.where(d < change[on], step[on], step2[on])
        trede = STEPS[s]
        year = day.year
        eligible = np.isin(s, [1, 2, 3, 4, 5])
        snaps.append(pd.DataFrame({
            "peildatum": day.strftime("%d-%m-%Y"), "klantnummer": ids[on],
            "gemeente": muni_names[gemeente[on]], "geboortedatum": fmt(birth[on]),
            "geslacht": sex[on], "trede": trede,
            "migratieachtergrond": np.where(cls[on] != "O", "J", "N"),
            "statushouder": np.where(cls[on] == "S", "J", "N"),
            "doelgroepregister": np.where(doelgroep[on], "J", "N"),
            "uitkering_sinds": np.where(nugger[on], "", fmt(start[on])),
            "dossiernummer": dossier[on],
            "loonkostensubsidie": np.where((s >= 5) & (lks[on] < 0.25 * 1.1 ** (year - 2019)),
                                           "J", "N"),
            "actief_traject": np.where((eligible & (act[on] < 0.8)) | (act[on] < 0.3), "J", "N"),
            "ontheffing": np.where(np.isin(s, [0, 1]) & (onth[on] < 0.45), "J", "N"),
        }))
    klanten = pd.concat(snaps, ignore_index=True)

    came = np.flatnonzero(new & (start <= end_all))
    reason = np.where(nugger[came], "NUG", np.where(rng.random(len(came)) < 0.6, "DIRECT",
                                                    "INDIRECT"))
    regeling = rng.choice(np.array(["PW", "IOAW", "IOAZ", "BBZ"]), size=len(came),
                          p=[0.95, 0.02, 0.01, 0.02])
    instroom = pd.DataFrame({
        "klantnummer": ids[came], "gemeente": muni_names[gemeente[came]],
        "instroomdatum": fmt(start[came]), "regeling": regeling, "reden": reason,
        "trede": STEPS[step[came]],
        "migratieachtergrond": np.where(cls[came] != "O", "J", "N"),
        "statushouder": np.where(cls[came] == "S", "J", "N"),
        "doelgroepregister": np.where(doelgroep[came], "J", "N")})

    left = np.flatnonzero((end <= end_all) & (end > start0))
    near = np.where(end[left] < change[left], step[left], step2[left]) >= 4
    placed = near & (rng.random(len(left)) < 0.6) & ~pension[left]
    why = np.where(pension[left], "PENSIOEN",
                   np.where(placed, PLACEMENT[rng.integers(0, 4, len(left))],
                            INDIRECT[rng.integers(0, 7, len(left))]))
    why = np.where(placed & nugger[left] & (why == "ARBEID"), "WERK_NUG", why)
    why = np.where(placed & nugger[left] & (why == "STUDIE"), "SCHOLING_NUG", why)
    uitstroom = pd.DataFrame({
        "klantnummer": ids[left], "gemeente": muni_names[gemeente[left]],
        "uitstroomdatum": fmt(end[left]), "reden": why,
        "migratieachtergrond": np.where(cls[left] != "O", "J", "N"),
        "statushouder": np.where(cls[left] == "S", "J", "N"),
        "doelgroepregister": np.where(doelgroep[left], "J", "N"),
        "loonkostensubsidie": np.where(placed & (lks[left] < 0.15), "J", "N")})

    moved = np.flatnonzero((change < end) & (change <= end_all) & (change > start0)
                           & (step2 != step))
    mutaties = pd.DataFrame({
        "klantnummer": ids[moved], "gemeente": muni_names[gemeente[moved]],
        "datum": fmt(change[moved]), "trede_oud": STEPS[step[moved]],
        "trede_nieuw": STEPS[step2[moved]]})

    talks = int(clients * 0.05) * (LAST - FIRST + 1)
    day = np.datetime64(f"{FIRST}-01-01") + _days(rng.integers(0, 365 * 8, talks))
    gesprekken = pd.DataFrame({
        "klantnummer": np.char.add("J", np.arange(talks).astype(str)).astype(object),
        "gemeente": muni_names[rng.choice(n_munis, size=talks, p=weights)],
        "datum": fmt(day),
        "uitkomst": rng.choice(np.array(["UITKERING", "WERK", "SCHOOL", "ANDERS"]), size=talks,
                               p=[0.2, 0.3, 0.35, 0.15])})
    config = {"names": names, "inhabitants": inhabitants}
    frames = {"klanten": klanten, "instroom": instroom, "uitstroom": uitstroom,
              "trede_mutaties": mutaties, "jongeren_gesprekken": gesprekken}
    return frames, config


def config_text(config: dict) -> str:
    """The national export's own configuration (TOML)."""
    names, inh = config["names"], config["inhabitants"]
    quoted = ", ".join(f'"{n}"' for n in names)
    lines = [
        "# Configuration of the synthetic national export (rsd demo-data --national).",
        "[service]", 'name = "Nederland (synthetisch)"', 'short = "NL"',
        f"municipalities = [{quoted}]", "", "[inhabitants.2023]",
        *(f'"{n}" = {int(i)}' for n, i in zip(names, inh, strict=True)), "",
        "[prognosis]", 'source = "Septembercirculaire"', "base_year = 2022",
        "change_pct = { 2023 = 2.3, 2024 = 3.1, 2025 = 1.8, 2026 = 2.4 }", "",
        "[publication]", 'mode = "intern"', "threshold = 5", "zeros_disclosive = false",
        "pdf = false    # 343 PDFs would add about 1 CPU-second each to the batch", "",
        "[[kpi_period]]", 'name = "Opdracht 2024-2026"', "years = [2024, 2026]",
        'kpis = [', '  { id = "plaatsingen", label = "Geplaatst op werk, scholing, bedrijf of '
        'beroep", target = 20000, unit = "aantal" },',
        '  { id = "werkfit", label = "Werkfit gemaakt", target = 3000, unit = "aantal", '
        'from = ["2b", "3", "4"], to = ["5", "6n", "6z", "6g"] },',
        '  { id = "duurzaam", label = "Duurzame plaatsing (6 maanden)", target = 80, '
        'unit = "%", months = 6 },', "]", "",
    ]
    return "\n".join(lines)


def write_national(folder: Path, seed: int = 2025, n_munis: int = 342,
                   clients: int = 400_000) -> list[Path]:
    """Write the national export as `;` CSV plus nationaal.toml into `folder`."""
    import pyarrow as pa
    from pyarrow import csv as pacsv

    folder.mkdir(parents=True, exist_ok=True)
    frames, config = generate(n_munis, clients, seed)
    paths = []
    for name, frame in frames.items():
        path = folder / f"{name}.csv"
        table = pa.Table.from_pandas(frame.astype(str), preserve_index=False)
        pacsv.write_csv(table, path, write_options=pacsv.WriteOptions(
            delimiter=";", quoting_style="none"))
        paths.append(path)
    conf = folder / "nationaal.toml"
    conf.write_text(config_text(config), encoding="utf-8")
    return [*paths, conf]
