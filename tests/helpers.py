"""Small hand-built exports, written as CSV and loaded through the real loader."""

from rsdlib.io import read_export
from rsdlib.paths import CONFIG_DIR

HEAD = ("peildatum;klantnummer;gemeente;geboortedatum;geslacht;trede;migratieachtergrond;"
        "statushouder;doelgroepregister;uitkering_sinds;dossiernummer;loonkostensubsidie;"
        "actief_traject;ontheffing")
IN_HEAD = ("klantnummer;gemeente;instroomdatum;regeling;reden;trede;migratieachtergrond;"
           "statushouder;doelgroepregister")
OUT_HEAD = ("klantnummer;gemeente;uitstroomdatum;reden;migratieachtergrond;statushouder;"
            "doelgroepregister;loonkostensubsidie")


def client(nr, muni="Duiven", peil="31-12-2019", birth="01-06-1980", sex="V", trede="2b",
           mig="N", stat="N", dgr="N", since="01-01-2015", dossier=None, lks="N", actief="N",
           onth="N"):
    dossier = dossier if dossier is not None else (f"D{nr}" if since else "")
    return (f"{peil};{nr};{muni};{birth};{sex};{trede};{mig};{stat};{dgr};{since};{dossier};"
            f"{lks};{actief};{onth}")


def build(tmp_path, config, klanten, instroom=(), uitstroom=(), mutaties=(), gesprekken=(),
          start=True):
    """Write a small export and load it through the real loader."""
    first = [client("S0", peil="31-12-2018")] if start else []
    files = {"klanten": [HEAD, *first, *klanten], "instroom": [IN_HEAD, *instroom],
             "uitstroom": [OUT_HEAD, *uitstroom],
             "trede_mutaties": ["klantnummer;gemeente;datum;trede_oud;trede_nieuw", *mutaties],
             "jongeren_gesprekken": ["klantnummer;gemeente;datum;uitkomst", *gesprekken]}
    tmp_path.mkdir(parents=True, exist_ok=True)
    for name, lines in files.items():
        (tmp_path / f"{name}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    export = read_export(tmp_path, config)
    assert export.report.refusals == []
    return export




LIEMERS = (CONFIG_DIR / "liemers.toml").read_text(encoding="utf-8")


def edited(tmp_path, old: str, new: str, text: str = LIEMERS):
    """The Liemers configuration with one edit, written to a file; the edit must apply."""
    assert old in text
    path = tmp_path / "service.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path
