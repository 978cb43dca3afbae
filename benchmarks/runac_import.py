"""RUNac import benchmark: a generated delivery of ~1,000,000 rows across the four files.

End-to-end validate + translate + load (`services.delivery_import`, the same code as
`manage.py runac_import`) on PostgreSQL, side by side with a plain PostgreSQL COPY of the
same files into unconstrained text tables, in the same run and database. Prints both
times, the ratio, the import's peak RSS and the machine. Goal: ≤ 60 s and within 3× COPY.

    uv run python benchmarks/runac_import.py                     # 1,000,000 rows, database amparo_runac_bench
    uv run python benchmarks/runac_import.py --rows 100000 --repeat 3

The database named by --database is dropped and re-created: give it a name of its own.
"""

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ROWS_PER_LEGAJO = 4.0
SERVER = "postgres://postgres@127.0.0.1:5432"
UNITS = ("LEGAJOS", "MPI", "MPE", "MPJ")


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        memory = f"{memory_kb / 1024 / 1024:.1f} GiB"
    except OSError:
        memory = "?"
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "memory": memory,
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "load_average": load,
    }


def recreate_database(server: str, name: str) -> None:
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def django_env(database_url: str) -> dict[str, str]:
    return {**os.environ, "DEBUG": "1", "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"}


def generate(directory: Path, rows: int, database_url: str) -> dict:
    legajos = round(rows / ROWS_PER_LEGAJO)
    # A folder per size: the generator's file names do not say how many rows they hold.
    directory = directory / f"legajos-{legajos}"
    directory.mkdir(parents=True, exist_ok=True)
    marker = directory / f"generated-{legajos}.json"
    if marker.exists():
        return json.loads(marker.read_text())
    output = subprocess.run(
        [sys.executable, "manage.py", "runac_generate", str(directory), "--legajos", str(legajos)],
        cwd=ROOT,
        env=django_env(database_url),
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    marker.write_text(output)
    return json.loads(output)


def server_cpu(connection) -> float | None:
    """CPU seconds used so far by this connection's PostgreSQL backend (a local server only).

    Unlike wall-clock time it hardly depends on what else the machine is running.
    """
    try:
        pid = connection.info.backend_pid
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def plain_copy(database_url: str, files: list[str]) -> tuple[float, float | None]:
    """COPY the four files as they are into text tables with no constraint and no index."""
    with psycopg.connect(database_url) as connection:
        for unit, path in zip(UNITS, files, strict=True):
            header = Path(path).open(encoding="utf-8").readline().rstrip("\n").split("\t")
            columns = ", ".join(f'"{name.lower()}" text' for name in header)
            connection.execute(f"DROP TABLE IF EXISTS plain_{unit.lower()}")
            connection.execute(f"CREATE TABLE plain_{unit.lower()} ({columns})")
        connection.commit()
        cpu_before = server_cpu(connection)
        started = time.perf_counter()
        with connection.transaction():
            for unit, path in zip(UNITS, files, strict=True):
                with (
                    connection.cursor() as cursor,
                    cursor.copy(f"COPY plain_{unit.lower()} FROM STDIN (FORMAT text, HEADER true)") as copy,
                    Path(path).open("rb") as handle,
                ):
                    while block := handle.read(1 << 20):
                        copy.write(block)
        elapsed = time.perf_counter() - started
        cpu_after = server_cpu(connection)
        cpu = cpu_after - cpu_before if cpu_after is not None and cpu_before is not None else None
        counts = {
            unit: connection.execute(f"SELECT count(*) FROM plain_{unit.lower()}").fetchone()[0]  # noqa: S608
            for unit in UNITS
        }
    print(f"  plain COPY rows: {counts}")
    return elapsed, cpu


def child(files: list[str], equivalence: str) -> None:
    """Run in a fresh process: one end-to-end import; print seconds, peak RSS and the report."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection

    from amparo.exchange.runac import services
    from amparo.exchange.runac.models import RECORD_MODELS, Delivery
    from amparo.exchange.runac.reading import Source
    from amparo.exchange.runac.reports import delivery_report

    with connection.cursor() as cursor:  # every run starts from an empty register
        tables = [model._meta.db_table for model in RECORD_MODELS.values()]
        tables += [
            "exchange_exceptionalmeasure",
            "exchange_measureplacement",
            "exchange_penalstay",
            "exchange_categorycorrection",
            "exchange_delivery",
            "exchange_equivalenceentry",
            "exchange_equivalencetable",
        ]
        cursor.execute(f"TRUNCATE {', '.join(tables)}")
    loader_cpu = _count_loader_cpu()
    server_before = server_cpu(connection.connection)
    python_before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    delivery = services.delivery_import(
        actor=None,
        sources=[Source.from_path(path) for path in files],
        equivalence_source=Source.from_path(equivalence),
    )
    elapsed = time.perf_counter() - started
    python_after = resource.getrusage(resource.RUSAGE_SELF)
    server_after = server_cpu(connection.connection)
    python_cpu = sum(
        getattr(python_after, name) - getattr(python_before, name) for name in ("ru_utime", "ru_stime")
    )
    report = delivery_report(Delivery.objects.get(pk=delivery.pk))
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "seconds": elapsed,
                "peak_rss_mb": peak_kb / 1024,
                "status": report["status"],
                "counts": report["counts"],
                "measures": report["measures"],
                "penal_stays": report["penal_stays"],
                "timings": report["timings"],
                "errors": report["error_count"],
                "python_cpu": python_cpu,
                "server_cpu": server_after - server_before + sum(loader_cpu)
                if server_after is not None and server_before is not None
                else None,
                "loader_cpu": sum(loader_cpu),
            }
        )
    )


def _count_loader_cpu() -> list[float]:
    """CPU seconds of the import's loader connections' backends, read as each loader closes."""
    from amparo.exchange.runac import staging

    seconds: list[float] = []
    close = staging.Loader.close

    def counted_close(self) -> None:
        used = server_cpu(self.connection)
        if used is not None:
            seconds.append(used)
        close(self)

    staging.Loader.close = counted_close
    return seconds


def _cpu(value: float | None) -> str:
    return "?" if value is None else f"{value:.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database", default="amparo_runac_bench")
    parser.add_argument("--server", default=SERVER)
    parser.add_argument("--directory", default=str(Path(tempfile.gettempdir()) / "amparo_runac_bench"))
    parser.add_argument("--repeat", type=int, default=1, help="runs of each side (the median is reported)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[:-1], args.child[-1])
        return

    database_url = f"{args.server}/{args.database}"
    print("Machine:", json.dumps(machine(), ensure_ascii=False))
    directory = Path(args.directory)
    directory.mkdir(parents=True, exist_ok=True)
    print(f"Re-creating database {args.database} and migrating …")
    recreate_database(args.server, args.database)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v0"],
        cwd=ROOT,
        env=django_env(database_url),
        check=True,
    )
    print(f"Generating a delivery of about {args.rows:,} rows in {directory} …")
    generated = generate(directory, args.rows, database_url)
    files, equivalence = generated["files"], generated["equivalence_file"]
    sizes = sum(Path(path).stat().st_size for path in files)
    print(f"  rows per file: {generated['counts']} = {generated['total_rows']:,} rows, {sizes / 1e6:.1f} MB")
    with psycopg.connect(database_url) as connection:
        server_version = connection.execute("SHOW server_version").fetchone()[0]
    print(f"  PostgreSQL {server_version}")

    copy_times, import_times, peaks, runs, copy_cpus = [], [], [], [], []
    for attempt in range(1, args.repeat + 1):
        seconds, cpu = plain_copy(database_url, files)
        copy_times.append(seconds)
        copy_cpus.append(cpu)
        print(f"  run {attempt}: plain COPY {seconds:.2f} s (server CPU {_cpu(cpu)})")
        output = subprocess.run(
            [sys.executable, __file__, "--child", *files, equivalence],
            cwd=ROOT,
            env=django_env(database_url),
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        result = json.loads(output.strip().splitlines()[-1])
        if result["status"] != "loaded":
            raise SystemExit(f"The delivery was rejected: {result}")
        runs.append(result)
        import_times.append(result["seconds"])
        peaks.append(result["peak_rss_mb"])
        print(
            f"  run {attempt}: import {result['seconds']:.2f} s (phases {result['timings']}), "
            f"peak RSS {result['peak_rss_mb']:.0f} MB; CPU: Python {_cpu(result.get('python_cpu'))}, "
            f"PostgreSQL {_cpu(result.get('server_cpu'))} (of which loader connections "
            f"{_cpu(result.get('loader_cpu'))})"
        )
    copy_seconds = statistics.median(copy_times)
    import_seconds = statistics.median(import_times)
    ratio = import_seconds / copy_seconds
    last = runs[-1]
    print()
    print(
        f"Rows: {generated['total_rows']:,} ({generated['counts']}); measures {last['measures']:,}, "
        f"penal entries {last['penal_stays']:,}"
    )
    print(f"Plain PostgreSQL COPY into unconstrained tables: {copy_seconds:.2f} s")
    print(f"Amparo end-to-end validate + translate + load:   {import_seconds:.2f} s")
    print(f"Ratio: {ratio:.2f}× COPY · peak RSS of the import process: {max(peaks):.0f} MB")
    if None not in copy_cpus and all(run.get("server_cpu") is not None for run in runs):
        copy_cpu = statistics.median(copy_cpus)
        python_cpu = statistics.median(run["python_cpu"] for run in runs)
        import_cpu = statistics.median(run["server_cpu"] for run in runs)
        print(
            f"CPU seconds (less sensitive to a shared machine): plain COPY {copy_cpu:.2f} (PostgreSQL); "
            f"import {python_cpu:.2f} (Python) + {import_cpu:.2f} (PostgreSQL)"
        )
    print(
        f"Goal ≤ 60 s: {'met' if import_seconds <= 60 else 'NOT met'}; "
        f"within 3× COPY: {'met' if ratio <= 3 else 'NOT met'}"
    )
    print("Machine:", json.dumps(machine(), ensure_ascii=False))


if __name__ == "__main__":
    main()
