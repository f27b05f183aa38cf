"""The batch: validate the export once, then one papermill run per (year, scope) in parallel.

Each run executes `notebooks/bijlagen.ipynb` into a hidden staging folder, renders the HTML
with all code hidden, and moves the folder into place only when everything succeeded.
Exit codes: 0 all runs succeeded, 1 a run failed, 2 the export is unusable.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import signal
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed, wait
from dataclasses import dataclass
from pathlib import Path

from rsdlib import __version__, kernels, lifetime, page
from rsdlib import pdf as pdf_writer
from rsdlib.atomic import clean_stale, promote, staging_dir
from rsdlib.config import Config, ConfigError, load_config
from rsdlib.digest import is_intact
from rsdlib.errors import CacheError, ExportError, describe
from rsdlib.paths import NOTEBOOK_DIR

# rsdlib.io and rsdlib.publish (pandas, pyarrow) are imported inside the functions: the pool's
# workers fork before the batch's process imports them, and start their kernels meanwhile.

# papermill and nbconvert import nbformat, which imports jsonschema, which imports the optional
# IRI checker rfc3987_syntax if it is installed (jupyterlab's jupyter-events installs it). That
# module compiles a grammar at import: about 2 s of CPU in every batch worker, for a format
# nbformat never checks (python-jsonschema/jsonschema#1392). The batch's processes go without.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

BIJLAGEN = NOTEBOOK_DIR / "bijlagen.ipynb"
FAILED_DIR = "_mislukt"
WORKER_NICENESS = 5     # workers and their kernels yield to the batch's own process


@dataclass
class RunResult:
    """What became of one (year or period, scope) run."""

    year: int | str
    scope: str
    ok: bool
    seconds: float
    path: Path
    error: str = ""


def run_one(notebook: Path, export: Path, year: int | str, scope: str, out: Path, mode: str,
            config_path: str | None, another: bool = False, pdf: bool = True) -> RunResult:
    """Execute one notebook into a staging folder; promote it only when it all succeeded.

    In a batch worker the notebook gets the worker's spare kernel (its working folder is the
    notebook's, as in JupyterLab), and a new spare starts when `another` run follows;
    elsewhere papermill starts the kernel itself, in the staging folder."""
    import papermill as pm

    start = time.perf_counter()
    final = out / str(year) / scope
    staging = staging_dir(final)
    executed = staging / "notebook.ipynb"
    km = None
    try:
        if kernels.pooled():
            km = kernels.take(notebook.parent, another)
        nb = pm.execute_notebook(
            str(notebook), str(executed), kernel_name="python3", progress_bar=False,
            request_save_on_cell_execute=False,   # written once at the end, or on an error
            # the notebook has written everything when its last cell returns: stop the kernel
            # at once instead of the graceful shutdown's interrupt-request-wait (0,3-3 s)
            shutdown_kernel="immediate",
            parameters={"export": str(export), "scope": scope, "out": str(staging),
                        "mode": mode, "config": config_path,
                        **({"period": year} if isinstance(year, str) else {"year": year})},
            cwd=str(staging), extra_arguments=kernels.KERNEL_ARGS,
            **({"engine_name": kernels.engine(), "km": km} if km is not None else {}),
        )
        title = f"Bijlagen {year} — {scope}"
        html = page.notebook_html(nb, title)
        (staging / "bijlagen.html").write_text(html, encoding="utf-8")
        if pdf:
            pdf_writer.write(html, staging / "bijlagen.pdf")
        promote(staging, final)
        return RunResult(year, scope, True, time.perf_counter() - start, final)
    except Exception as exc:  # a failed notebook must not stop the other runs
        if km is not None:
            kernels.shutdown(km)                   # in case the run failed before it took it
        failed = out / FAILED_DIR / f"{year}-{scope}.ipynb"
        if failed.parent.is_symlink():             # placed there: not followed, replaced
            failed.parent.unlink(missing_ok=True)
        failed.parent.mkdir(parents=True, exist_ok=True)
        if executed.exists():
            os.replace(executed, failed)
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(final, ignore_errors=True)   # no stale output that looks complete
        if isinstance(exc, pm.PapermillExecutionError):
            text = f"{exc.ename}: {exc.evalue}"
        else:
            text = f"{type(exc).__name__}: {exc}"
        return RunResult(year, scope, False, time.perf_counter() - start, failed, text)


def input_hashes(folder: Path) -> list[str]:
    """SHA-256 of every CSV and xlsx file of the export folder, by name (no parsing)."""
    from rsdlib.io import file_sha256

    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".csv", ".xlsx"))
    return [f"{p.name}:{file_sha256(p)}" for p in files]


@functools.cache
def code_hash(package: Path = Path(__file__).parent) -> str:
    """SHA-256 of rsdlib's own source: a cache made by other code (other table definitions,
    another layout of the prepared parts), in any of its modules, is never reused."""
    h = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):     # subpackages too (rsdlib/io/)
        h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def config_digest(config: Config) -> str:
    """The configuration as it is in effect, not the file it was read from: every section,
    also those taken from the default file (a configuration without a ladder, bands or
    reasons gets the default's), and the domain built from them. Key order is kept, not
    sorted: it is the order of rows (municipalities, reasons) and so part of the tables."""
    h = hashlib.sha256()
    h.update(config.model_dump_json(by_alias=True).encode())
    h.update(repr(config.domain).encode())
    return h.hexdigest()


def cache_key(export_hashes: list[str], config: Config) -> str:
    """The cache folder name: the input files' hashes, the effective configuration, the code."""
    h = hashlib.sha256()
    for part in [*export_hashes, __version__, code_hash(), config_digest(config)]:
        h.update(part.encode())
    return h.hexdigest()[:16]


def open_validated(export: Path, out: Path, config: Config):
    """The validated export, its cache folder, and the write of the cache's Parquet copy: a
    Future, or None when an earlier batch's cache was reused.

    The copy is written in a thread (pyarrow encodes without the GIL) while the caller
    prepares the years; its report.json goes last, so a cache without one is incomplete and
    the next batch parses again."""
    from concurrent.futures import ThreadPoolExecutor

    from rsdlib.io import load_cache, read_export
    from rsdlib.io.cache import REPORT

    if not export.is_dir():
        raise ExportError(f"{export}: exportmap niet gevonden")
    cache = out / ".cache" / cache_key(input_hashes(export), config)
    clean_stale(cache.parent)
    clean_stale(cache)
    if (cache / REPORT).is_file():
        try:
            return load_cache(cache, config), cache, None
        except CacheError as exc:     # a cache, not a source: rebuilt, never used as it is
            print(f"cache {cache} onbruikbaar ({exc}); opnieuw opgebouwd uit de export",
                  file=sys.stderr)
            shutil.rmtree(cache, ignore_errors=True)
    data = read_export(export, config)
    cache.mkdir(parents=True, exist_ok=True)
    writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cache")
    writing = writer.submit(_write_cache, data, cache)
    writer.shutdown(wait=False)
    return data, cache, writing


def _write_cache(data, cache: Path) -> None:
    """The Parquet copy and the report, moved into `cache` file by file, report.json last."""
    from rsdlib.io import save_cache

    tmp = staging_dir(cache)
    try:
        save_cache(data, tmp)
        # report.json, the mark of a complete copy, goes last (its digest just before it)
        order = {"report.json.sha256": 1, "report.json": 2}
        for path in sorted(tmp.iterdir(), key=lambda p: order.get(p.name, 0)):
            os.replace(path, cache / path.name)
    except BaseException:               # a full disk, say: no half-written copy stays
        shutil.rmtree(cache, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def load_validated(export: Path, out: Path, config: Config):
    """The validated export and its cache folder: parsed once, reused while nothing changed."""
    data, cache, writing = open_validated(export, out, config)
    if writing is not None:
        writing.result()
    return data, cache


def write_prepared(data, cache: Path, years: list[int], names: list[str], config: Config,
                   mode: str) -> None:
    """Do each year's scope-independent work once; leave its common part and a small part
    per scope (prepared.load_prepared joins them). Parts an earlier batch left are reused
    only when every one of them passes its digest check; otherwise the year is done again."""
    from rsdlib.prepared import precomputed, precomputed_common, prepare, save_part

    for year in years:
        here = [s for s in names if s in config.for_year(year).scopes]
        paths = [precomputed_common(cache, year, mode),
                 *(precomputed(cache, year, s, mode) for s in here)]
        clean_stale(paths[0].parent)
        if all(p.is_file() for p in paths):
            problem = next((p for p in paths if not is_intact(p)), None)
            if problem is None:
                continue                   # an earlier batch on the same export did it
            print(f"cache: {problem.relative_to(cache)} klopt niet met zijn SHA-256; "
                  f"{year} wordt opnieuw voorbereid uit de export", file=sys.stderr)
        prep = prepare(data, year, config, mode)
        save_part(prep.common().fields(), paths[0])
        for scope, path in zip(here, paths[1:], strict=True):
            save_part(prep.scope_part(scope, config.for_year(year)), path)


def resolve_scopes(scopes: list[str], config: Config) -> list[str]:
    """Expand `all` and check every scope name against the configuration."""
    out: list[str] = []
    for s in scopes:
        for name in (config.scopes if s.casefold() == "all" else (config.scope(s),)):
            if name not in out:
                out.append(name)
    return out


def _validated_or_nothing(export: Path, out: Path, config: Config, years: list[int],
                          spans: tuple = ()):
    """Validate (or reuse the cache) and check the years, and that each period has a year in
    the export; an unusable export writes nothing. The years come back checked (ReportYear:
    what the batch prepares with them does not check them again)."""
    from rsdlib.io.model import require_year

    existed, writing = out.exists(), None
    try:
        data, cache, writing = open_validated(export, out, config)
        checked: list[int] = [require_year(data, year) for year in years]
        for p in spans:
            if not any(p.contains(d.year) for d in data.peildata):
                raise ExportError(f"klanten: geen peildatum in de periode {p.label} ({p.name})")
    except (ExportError, OSError):
        if writing is not None:
            wait([writing])               # the cache is written (or failed) before cleaning up
        if not existed:
            shutil.rmtree(out, ignore_errors=True)
        raise
    return data, cache, writing, checked


def _warm_worker(notebook_dir: Path, batch_pid: int, fork: bool = True,
                 timeout: float = kernels.ZYGOTE_TIMEOUT, pdf: bool = True) -> None:
    """Start this worker's kernel zygote, import papermill and the PDF's typesetter, then
    launch the first spare kernel, all while the batch's own process is still validating.

    The worker is killed when the batch's process ends, however it ends, and leaves Ctrl-C
    to it: the batch decides what stops (a worker that took SIGINT as a failed run went on
    with the queued ones). `fork` and `timeout`: the configuration's [batch] settings for
    the zygote; `pdf`: whether the runs write a PDF (else the typesetter is not loaded)."""
    kernels.configure(fork=fork, timeout=timeout)
    lifetime.die_with_parent(batch_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Until the first runs start, this process's work (and its spare kernel's) is done ahead;
    # the batch's own validation is what the runs wait for. A lower priority for the worker
    # and its kernels lets validation go first on a busy machine (measured: ~0,3 s of ~9).
    os.nice(WORKER_NICENESS)
    # papermill imports pyarrow.fs (and so pyarrow and numpy, ~0,2 s) for its optional HDFS
    # support; a worker only reads and writes local notebooks. Its kernels are new processes.
    sys.modules.setdefault("pyarrow.fs", None)  # type: ignore[arg-type]
    try:
        kernels.pool()                     # its zygote imports meanwhile
        import papermill  # noqa: F401

        page.warm()
        if pdf:
            pdf_writer.warm()
        kernels.engine()
        kernels.prime(notebook_dir)
    except Exception:   # a run starts its kernel and imports again, and reports what fails
        pass


def run_batch(export: Path, years: list[int], scopes: list[str], out: Path,
              jobs: int | None = None, config_path: str | None = None, mode: str | None = None,
              notebook: Path = BIJLAGEN, periods: list[str] | tuple[()] = (),
              pdf: bool | None = None) -> int:
    """Validate once, run every (year or period, scope) in a process pool, print a summary;
    the exit code. A period's appendix goes to OUT/KEY/SCOPE (KEY: "2024-2026"). `pdf` None:
    as the configuration says ([publication] pdf, default true)."""
    from rsdlib.periods import find

    try:
        config = load_config(config_path)
        mode = mode or config.publication.mode
        names = resolve_scopes(scopes, config)
        spans = tuple({q.label: q for q in (find(config, p) for p in periods)}.values())
    except ConfigError as exc:
        print(f"onbruikbare invoer: {exc}", file=sys.stderr)
        return 2
    if pdf is None:
        pdf = config.publication.pdf
    if pdf:
        try:
            pdf_writer.check()
        except pdf_writer.PdfUnavailable as exc:
            print(f"onbruikbare omgeving: {exc}", file=sys.stderr)
            return 2
    # The service's run has the most to draw and write: it goes first, so that it does not
    # end the batch alone on one core (longest first).
    labels: list[int | str] = [*years, *(p.label for p in spans)]
    # a municipality that does not exist in a year (a reorganisation) has no run that year
    tasks = [(y, s) for y in labels for s in sorted(names, key=lambda n: n != config.short)
             if not isinstance(y, int) or s in config.for_year(y).scopes]
    for y in years:
        if skipped := [s for s in names if s not in config.for_year(y).scopes]:
            print(f"{y}: {', '.join(skipped)} bestond toen niet (herindeling); overgeslagen",
                  file=sys.stderr)
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(tasks)))
    out = out.resolve()
    existed = out.exists()
    try:
        for label in labels:           # what killed batches left in staging
            clean_stale(out / str(label))
    except OSError as exc:
        print(f"onbruikbare uitvoermap: {describe(exc)}", file=sys.stderr)
        return 2
    # The workers start (fork) now, before the export is in memory, and warm up while this
    # process validates. They share one kernel zygote, started first: it imports what the
    # kernels need once for the batch (~1,5 s of CPU that each worker's own zygote spent
    # again while the machine was busiest).
    started = time.time()
    kernels.configure(fork=config.batch.fork_kernels, timeout=config.batch.zygote_timeout)
    kernels.share_zygote()
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_warm_worker,
                               initargs=(notebook.parent, os.getpid(),
                                         config.batch.fork_kernels,
                                         config.batch.zygote_timeout, pdf))
    results: list[RunResult] = []
    try:
        with lifetime.catch_stop():
            try:
                pool.submit(int)
                try:
                    data, cache, writing, checked = _validated_or_nothing(
                        export, out, config, years, spans)
                except ExportError as exc:
                    print(f"onbruikbare invoer: {exc}", file=sys.stderr)
                    return 2
                return _run_all(pool, data, cache, writing, config, checked, names, tasks, out,
                                mode, notebook, jobs, [p.label for p in spans], results,
                                pdf)
            except OSError as exc:       # the machine, not the input: a full disk, no rights
                print(f"onbruikbare omgeving: {describe(exc)}; er is niets gepubliceerd",
                      file=sys.stderr)
                if not existed:
                    shutil.rmtree(out, ignore_errors=True)
                return 2
            except lifetime.Interrupted as stop:
                lifetime.ignore_stop()
                return _stopped(pool, stop, tasks, results, out, labels, started)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        kernels.kill_zygote()      # its kernels have ended; a refused export ends it mid-import


def _stopped(pool: ProcessPoolExecutor, stop: lifetime.Interrupted,
             tasks: list[tuple[int | str, str]], results: list[RunResult], out: Path,
             years: list[int | str], started: float) -> int:
    """SIGINT or SIGTERM: no queued run starts, the runs in flight are abandoned (their
    workers killed, and with them their zygotes and kernels) and their staging folders
    removed; say what was and was not published. Exit 130 or 143."""
    workers = list((getattr(pool, "_processes", None) or {}).values())
    for w in workers:
        try:
            w.kill()
        except (OSError, ValueError):
            pass
    kernels.kill_zygote()                  # and with it the kernels it forked
    for w in workers:
        w.join(timeout=5)
    pool.shutdown(wait=False, cancel_futures=True)
    deadline = time.monotonic() + 3        # a kernel on its way out may still write into one
    while [p for year in years for p in clean_stale(out / str(year))]:
        if time.monotonic() > deadline:
            break
        time.sleep(0.2)
    done = {(r.year, r.scope) for r in results if r.ok}
    for y, s in tasks:          # promoted just before its worker was killed, unreported
        final = out / str(y) / s
        if (y, s) not in done and final.is_dir() and not final.is_symlink() and \
                final.stat().st_mtime >= started:
            done.add((y, s))
    published = [f"{y} {s}" for y, s in tasks if (y, s) in done]
    missing = [f"{y} {s}" for y, s in tasks if (y, s) not in done]
    print(f"\nOnderbroken ({stop}): {len(published)} van {len(tasks)} runs gepubliceerd. "
          f"Uitvoer in {out}\n"
          f"gepubliceerd: {', '.join(published) or 'geen'}\n"
          f"niet gepubliceerd: {', '.join(missing) or 'geen'}", flush=True)
    return stop.exit_code


def _run_all(pool: ProcessPoolExecutor, data, cache: Path, writing, config: Config,
             years: list[int], names: list[str], tasks: list[tuple[int | str, str]], out: Path,
             mode: str, notebook: Path, jobs: int, keys: list[str],
             results: list[RunResult], pdf: bool = True) -> int:
    """Prepare the years, run every task in the pool with a progress bar; the exit code."""
    from tqdm import tqdm

    from rsdlib.publish import write_validation_html

    refused = len({(r.file, r.line) for r in data.report.refusals})
    print(f"export gevalideerd: {refused} regels geweigerd; voorbereiden per jaar ...",
          file=sys.stderr)
    write_prepared(data, cache, years, names, config, mode)
    if writing is not None:
        writing.result()       # the Parquet copy, written meanwhile (an error stops the batch)
    validation = data.report
    del data                 # the notebooks read their own small slices
    for year in [*years, *keys]:
        write_validation_html(validation, out / str(year), config)
    cfg_arg = str(config.path) if config.path else None
    print(f"{len(tasks)} runs met {jobs} parallel (validatie: OUT/JAAR/validatie.html)",
          file=sys.stderr)
    # Runs start in this order: the last `jobs` of them need no spare kernel after them.
    futures = [pool.submit(run_one, notebook, cache, y, s, out, mode, cfg_arg,
                           i < len(tasks) - jobs, pdf) for i, (y, s) in enumerate(tasks)]
    with tqdm(total=len(futures), desc="bijlagen", unit="run", file=sys.stderr) as bar:
        for fut in as_completed(futures):
            r = fut.result()
            results.append(r)
            status = "ok  " if r.ok else "FOUT"
            bar.write(f"{status} {r.year} {r.scope:<14} {r.seconds:5.1f} s  {r.path}"
                      + (f"\n     {r.error}" if r.error else ""), file=sys.stderr)
            bar.update()
    failed = [r for r in results if not r.ok]
    print(f"\nKlaar: {len(results) - len(failed)} van {len(results)} runs gelukt. "
          f"Uitvoer in {out}")
    for r in sorted(failed, key=lambda r: (str(r.year), r.scope)):
        print(f"Mislukt: {r.year} {r.scope}: {r.error}\n  uitgevoerd notebook: {r.path}")
    return 1 if failed else 0
