"""Benchmark of the batch (`make bench`): one run on this machine, printed as a table.

Measures, with the same --jobs:
 1. the floor: papermill executing N trivial notebooks (a parameters cell and the same imports
    as bijlagen.ipynb), N = 4 and N = number of national scopes;
 2. `rsd report` for the RSD demo export, all 4 scopes, one year (cold cache);
 3. `rsd report` for the national export, all scopes, one year (cold cache);
 4. the national export load (parse + validate) against pyarrow's bare read_csv;
 5. peak memory (RSS) of each batch (whole process tree) and of one notebook kernel.
Not a test: it prints what it measures and whether the goals of issue 7 are met.

Timings on shared machines vary by 20-30 % from one minute to the next, so the short
measurements (floor(4) with the RSD batch, and the load with pyarrow's parse) are taken
--repeat times, alternating, and their medians compared. The national pair runs once.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
import psutil

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def trivial_notebook(folder: Path) -> Path:
    """A parameters cell and the imports of bijlagen.ipynb, nothing else."""
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('export = None\nyear = 2019\nscope = "RSD"\nout = None\n'
                                       'mode = "intern"\nconfig = None')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell("from rsdlib import report")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    path = folder / "trivial.ipynb"
    nbformat.write(nb, path)
    return path


def _execute(args: tuple[str, str, int]) -> None:
    import papermill as pm

    notebook, out, i = args
    pm.execute_notebook(notebook, f"{out}/run{i}.ipynb", kernel_name="python3",
                        progress_bar=False, parameters={"scope": f"s{i}"},
                        extra_arguments=["--IPKernelApp.log_level=ERROR"])


def floor(n: int, jobs: int, work: Path) -> float:
    """Seconds for papermill to execute n trivial notebooks in a pool of `jobs`."""
    nb = trivial_notebook(work)
    out = work / f"floor{n}"
    shutil.rmtree(out, ignore_errors=True)     # a --work folder may hold an earlier run
    out.mkdir()
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(_execute, [(str(nb), str(out), i) for i in range(n)]))
    return time.perf_counter() - start


class PeakMemory:
    """Samples the RSS of a process tree: the peak of the sum, and of any one kernel."""

    def __init__(self, pid: int) -> None:
        self.pid, self.total, self.kernel, self._stop = pid, 0, 0, False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop:
            try:
                root = psutil.Process(self.pid)
                procs = [root, *root.children(recursive=True)]
                rss = {}
                for p in procs:
                    try:
                        rss[p.pid] = (p.memory_info().rss, " ".join(p.cmdline()))
                    except psutil.Error:
                        pass
                self.total = max(self.total, sum(r for r, _ in rss.values()))
                kernels = [r for r, cmd in rss.values()       # a zygote's kernels have its
                           if "ipykernel" in cmd or "rsdlib.zygote" in cmd]   # command line
                self.kernel = max([self.kernel, *kernels])
            except psutil.Error:
                pass
            time.sleep(0.1)

    def stop(self) -> None:
        self._stop = True
        self._thread.join()


def timed_report(args: list[str]) -> tuple[float, int, int, int]:
    """Seconds, exit code, peak RSS of the batch tree and of one kernel for `rsd ...`."""
    start = time.perf_counter()
    proc = subprocess.Popen([str(BIN / "rsd"), *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    mem = PeakMemory(proc.pid)
    code = proc.wait()
    mem.stop()
    return time.perf_counter() - start, code, mem.total, mem.kernel


def load_times(folder: Path, config: Path, repeat: int) -> tuple[float, float]:
    """Median seconds for rsdlib's parse + validate, and for pyarrow's bare read_csv of the
    same files, measured alternately `repeat` times."""
    from pyarrow import csv as pacsv

    from rsdlib import io as rio
    from rsdlib.config import load_config
    from rsdlib.io import read as rio_read

    cfg = load_config(config)
    loads, bares = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        for path in sorted(folder.glob("*.csv")):
            pacsv.read_csv(path, parse_options=pacsv.ParseOptions(delimiter=";"))
        bares.append(time.perf_counter() - start)
        rio_read._DIGESTS.clear()             # a cold load hashes the files too
        start = time.perf_counter()
        rio.read_export(folder, cfg)
        loads.append(time.perf_counter() - start)
    return statistics.median(loads), statistics.median(bares)


def rsd_batch(work: Path, demo: Path, jobs: int, *extra: str) -> tuple[float, int, int, int]:
    """`rsd report` for the RSD demo export, all scopes, 2019, into a cold output folder."""
    shutil.rmtree(work / "out-rsd", ignore_errors=True)
    return timed_report(["report", "--export", str(demo), "--year", "2019", "--scope", "all",
                         "--out", str(work / "out-rsd"), "--jobs", str(jobs), *extra])


def rsd_only(work: Path, demo: Path, jobs: int, repeat: int) -> int:
    """floor(4), the RSD batch with its PDF and the RSD batch without (--zonder-pdf), taken
    alternately `repeat` times; their medians and the ratios to the floor."""
    print(f"floor(4), RSD-batch met PDF en zonder, afwisselend ({repeat}x); belasting "
          f"{os.getloadavg()[0]:.1f}", flush=True)
    f4s: list[float] = []
    pdf: list[tuple[float, int, int, int]] = []
    bare: list[tuple[float, int, int, int]] = []
    for _ in range(repeat):
        f4s.append(floor(4, jobs, work))
        pdf.append(rsd_batch(work, demo, jobs))
        bare.append(rsd_batch(work, demo, jobs, "--zonder-pdf"))
    f4 = statistics.median(f4s)
    rows = [(f"floor: 4 trivial notebooks (median of {repeat})", f4)]
    for name, runs in (("met PDF", pdf), ("zonder PDF", bare)):
        t = statistics.median(r[0] for r in runs)
        rows.append((f"rsd report, RSD demo, 4 scopes, {name} (exit {max(r[1] for r in runs)}; "
                     f"median of {repeat})", t))
    width = max(len(r[0]) for r in rows) + 2
    print("\n" + "measure".ljust(width) + "value     / floor(4)")
    for name, value in rows:
        print(name.ljust(width) + f"{value:<10.1f}{value / f4:.2f}")
    print("\nafzonderlijke metingen (s): floor(4) " + ", ".join(f"{t:.1f}" for t in f4s)
          + "; met PDF " + ", ".join(f"{r[0]:.1f}" for r in pdf)
          + "; zonder PDF " + ", ".join(f"{r[0]:.1f}" for r in bare)
          + f"\nbelasting (1, 5, 15 min): {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    verdict = rows[1][1] / f4
    print(f"\nRSD batch incl. PDF / floor(4) <= 1.5: {verdict:.2f} "
          + ("ja" if verdict <= 1.5 else f"nee ({verdict / 1.5:.2f}x de grens)"))
    return 0


def gib(n: int) -> str:
    return f"{n / 2**30:.2f} GiB"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--year", type=int, default=2025)
    ap.add_argument("--municipalities", type=int, default=342)
    ap.add_argument("--clients", type=int, default=400_000)
    ap.add_argument("--work", help="folder for exports and outputs (default: a temp folder)")
    ap.add_argument("--repeat", type=int, default=3,
                    help="alternating repeats of the short measurements (medians compared)")
    ap.add_argument("--alleen-rsd", action="store_true",
                    help="only floor(4) against the RSD batch, with and without PDF (a minute "
                         "or two, where the whole bench takes about 20)")
    a = ap.parse_args()
    work = Path(a.work) if a.work else Path(tempfile.mkdtemp(prefix="rsd-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    demo, nat = work / "demo", work / "nationaal"
    print(f"werkmap {work}; jobs {a.jobs}; {os.cpu_count()} cores", flush=True)
    if not (demo / "klanten.csv").exists():
        subprocess.run([str(BIN / "rsd"), "demo-data", str(demo)], check=True,
                       stdout=subprocess.DEVNULL)
    if a.alleen_rsd:
        return rsd_only(work, demo, a.jobs, a.repeat)
    if not (nat / "klanten.csv").exists():
        subprocess.run([str(BIN / "rsd"), "demo-data", "--national", str(nat),
                        "--municipalities", str(a.municipalities), "--clients",
                        str(a.clients)], check=True, stdout=subprocess.DEVNULL)
    scopes = a.municipalities + 1
    rows = []
    print("1-2. floor(4) and RSD batch, alternating ...", flush=True)
    f4s, rsd = [], []
    for _ in range(a.repeat):
        f4s.append(floor(4, a.jobs, work))
        shutil.rmtree(work / "out-rsd", ignore_errors=True)
        rsd.append(timed_report(
            ["report", "--export", str(demo), "--year", "2019", "--scope", "all", "--out",
             str(work / "out-rsd"), "--jobs", str(a.jobs)]))
    f4, t_rsd = statistics.median(f4s), statistics.median(r[0] for r in rsd)
    c_rsd, m_rsd = max(r[1] for r in rsd), max(r[2] for r in rsd)
    print(f"1. floor({scopes}) ...", flush=True)
    fn = floor(scopes, a.jobs, work)
    rows += [(f"floor: 4 trivial notebooks (median of {a.repeat})", f"{f4:.1f} s"),
             (f"floor: {scopes} trivial notebooks", f"{fn:.1f} s")]
    print("3. national batch ...", flush=True)
    shutil.rmtree(work / "out-nl", ignore_errors=True)
    t_nl, c_nl, m_nl, k_nl = timed_report(
        ["--config", str(nat / "nationaal.toml"), "report", "--export", str(nat), "--year",
         str(a.year), "--scope", "all", "--out", str(work / "out-nl"), "--jobs", str(a.jobs)])
    print("4. load ...", flush=True)
    load, bare = load_times(nat, nat / "nationaal.toml", a.repeat)
    size = sum(p.stat().st_size for p in nat.glob("*.csv"))
    rows += [
        (f"rsd report, RSD demo, 4 scopes (exit {c_rsd}; median of {a.repeat})",
         f"{t_rsd:.1f} s"),
        (f"rsd report, national, {scopes} scopes (exit {c_nl})", f"{t_nl:.1f} s"),
        (f"national load (parse + validate, {size / 2**20:.0f} MiB CSV; median of {a.repeat})",
         f"{load:.1f} s"),
        (f"pyarrow bare read_csv, same files (median of {a.repeat})", f"{bare:.1f} s"),
        ("peak RSS, RSD batch (process tree)", gib(m_rsd)),
        ("peak RSS, national batch (process tree)", gib(m_nl)),
        ("peak RSS, one notebook kernel (national)", gib(k_nl)),
    ]
    goals = [
        ("RSD batch / floor(4) <= 1.5", t_rsd / f4, 1.5),
        (f"national batch / floor({scopes}) <= 1.5", t_nl / fn, 1.5),
        ("national load / pyarrow <= 2", load / bare, 2.0),
        ("peak RSS national batch <= 4 GiB", m_nl / 2**30, 4.0),
    ]
    width = max(len(r[0]) for r in rows + [(g[0], "") for g in goals]) + 2
    print("\n" + "measure".ljust(width) + "value")
    for name, value in rows:
        print(name.ljust(width) + value)
    print("\nafzonderlijke metingen (s): floor(4) " + ", ".join(f"{t:.1f}" for t in f4s)
          + "; RSD-batch " + ", ".join(f"{r[0]:.1f}" for r in rsd))
    print("\n" + "goal".ljust(width) + "measured    met")
    for name, measured, limit in goals:
        verdict = "ja" if measured <= limit else f"nee ({measured / limit:.2f}x de grens)"
        print(name.ljust(width) + f"{measured:<12.2f}{verdict}")
    print("\nDe vloer is papermill met zijn standaardinstellingen: elke notebook start zijn eigen "
          "kernel als nieuw proces, dat pandas en matplotlib importeert, en wacht erop. De batch "
          "start een zygote die dat eenmaal importeert en elke kernel uit zichzelf forkt "
          "(rsdlib.zygote), houdt per werker een reservekernel klaar, stopt "
          "elke kernel direct na de laatste cel en laat zijn werkers (nice +5) papermill "
          "importeren terwijl hij valideert. Elke kernel dient in beide gevallen precies een "
          "notebook, met een lege namespace.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
