"""The `synth` command.

    synth run pipelines/quickstart.yaml                      # run, resumable
    synth run pipelines/quickstart.yaml generate.num_questions=8 run.name=small
    synth run pipelines/quickstart.yaml --dry-run            # validate and print the plan
    synth eval pipelines/eval_cpu.yaml                       # score a model on benchmark sets
    synth graph build pipelines/mathscale_cpu.yaml           # seeds -> concepts -> graph only
    synth graph inspect runs/mathscale_cpu                   # stats, top concepts, sample walks
    synth train qft pipelines/qft_cpu.yaml                   # ScaleQuest QFT: fine-tune a generator
    synth train qpo pipelines/qpo_cpu.yaml                   # ScaleQuest QPO: DPO on rewrite pairs
    synth train difficulty pipelines/difficulty_cpu.yaml     # ScaleQuest difficulty scorer
    synth submit pipelines/scalequest.yaml --address http://HEAD:8265 [--follow]
    synth jobs list|status|logs|stop [JOB_ID] --address http://HEAD:8265
    synth view runs/quickstart                               # browse rows, drops, funnel in a browser
    synth push runs/quickstart you/quickstart-math [--private] [--with-report]  # HF Hub, $HF_TOKEN

Exit codes: 0 done, 2 bad config, arguments or input data (nothing was started), 1 the run
failed (one line says why; a write that failed names its path, anything unexpected leaves its
traceback under <run dir>/logs/; for `synth push`: the upload itself failed), 130 / 143
stopped by Ctrl-C / SIGTERM (every answered model request is kept: the same command resumes).
"""

from __future__ import annotations

import argparse
import shlex
import signal
import sys
from collections.abc import Sequence

from synth.config.errors import ConfigError
from synth.data_files import DataFileError
from synth.job_submission import JobClientError
from synth.kinds.kind import Command
from synth.publishing import PushFailed, PushRefused, push_run
from synth.run.error_table import ModelRoleFailed
from synth.run.storage import run_path

EXIT_BAD_CONFIG = 2
EXIT_RUN_FAILED = 1


class Interrupted(BaseException):
    """Ctrl-C or SIGTERM arrived: the run stops where it is (raised from the signal handler).
    A BaseException, like KeyboardInterrupt, so that no `except Exception` on the way (Ray
    Data logs and re-raises those with their stack) mistakes it for a failure."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.exit_code = 128 + signum


def _interrupt(signum: int, frame: object) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the clean-up short
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise Interrupted(signum)


def _parser() -> argparse.ArgumentParser:
    from synth.kinds import kinds_run_by

    parser = argparse.ArgumentParser(prog="synth", description="Manufacture math reasoning datasets.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run a pipeline locally (or on the Ray cluster in ray.address)")
    run.add_argument("config", help="pipeline YAML, e.g. pipelines/quickstart.yaml")
    run.add_argument("overrides", nargs="*", help="key=value overrides, e.g. solve.num_samples=3")
    run.add_argument("--dry-run", action="store_true", help="validate and print the stage plan only")
    evaluate = commands.add_parser("eval", help="score one model zero-shot on benchmark sets")
    evaluate.add_argument("config", help="eval YAML (pipeline: eval), e.g. pipelines/eval_cpu.yaml")
    evaluate.add_argument("overrides", nargs="*", help="key=value overrides, e.g. sampling.max_tokens=512")
    evaluate.add_argument("--dry-run", action="store_true", help="validate, load benchmarks, print the plan")
    graph = commands.add_parser("graph", help="build or inspect a MathScale/GSDP concept graph")
    graph_commands = graph.add_subparsers(dest="graph_command", required=True)
    build = graph_commands.add_parser("build", help="run seeds -> concepts -> graph, then print stats")
    build.add_argument("config", help="a mathscale or gsdp pipeline YAML")
    build.add_argument("overrides", nargs="*", help="key=value overrides")
    inspect = graph_commands.add_parser("inspect", help="stats, top concepts and sample walks of a run's graph")
    inspect.add_argument("run_dir", help="a run directory, e.g. runs/mathscale_cpu")
    inspect.add_argument("--samples", type=int, default=5, help="walks/combinations to show")
    train = commands.add_parser("train", help="train a model (QFT, QPO, difficulty scorer)")
    train.add_argument("kind", choices=kinds_run_by(Command.train), help="what to train")
    train.add_argument("config", help="training YAML (pipeline: KIND), e.g. pipelines/qft_cpu.yaml")
    train.add_argument("overrides", nargs="*", help="key=value overrides, e.g. train.max_steps=2")
    submit = commands.add_parser("submit", help="run a pipeline on a Ray cluster as a Ray Job")
    submit.add_argument("config", help="pipeline YAML, e.g. pipelines/scalequest.yaml")
    submit.add_argument("overrides", nargs="*", help="key=value overrides")
    _add_address(submit)
    submit.add_argument("--working-dir", default=".",
                        help="project directory uploaded as the job's working directory")
    submit.add_argument("--job-id", help="submission id (default: synth-<run name>-<UTC time>)")
    submit.add_argument("--follow", action="store_true",
                        help="stream the job's logs until it ends; exit 0 only if it succeeded")
    jobs = commands.add_parser("jobs", help="list, inspect, follow or stop Ray Jobs")
    jobs.add_argument("action", choices=("list", "status", "logs", "stop"))
    jobs.add_argument("job_id", nargs="?", help="job (submission) id; not needed for list")
    jobs.add_argument("--follow", action="store_true", help="logs: stream until the job ends")
    _add_address(jobs)
    view = commands.add_parser("view", help="browse a run's rows, dropped rows and funnel in a "
                               "local web page")
    view.add_argument("run_dir", help="a run directory (local or s3://...), e.g. runs/quickstart")
    view.add_argument("--host", default="127.0.0.1",
                      help="interface to serve on (default 127.0.0.1; 0.0.0.0 exposes the run)")
    view.add_argument("--port", type=int, default=0, help="port to serve on (default: a free one)")
    push = commands.add_parser("push", help="publish a finished run's dataset and data card to the "
                               "Hugging Face Hub (token: $HF_TOKEN)")
    push.add_argument("run_dir", help="a finished run directory, e.g. runs/quickstart")
    push.add_argument("repo_id", help="dataset repo to create or update, e.g. you/quickstart-math")
    push.add_argument("--private", action="store_true", help="create the dataset repo private")
    push.add_argument("--with-report", action="store_true",
                      help="also upload the run's report/ (report.md, report.json, plots)")
    for command in (run, evaluate, build, inspect, train, submit, jobs, view, push):
        _add_verbose(command)
    return parser


def _add_verbose(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--verbose", action="store_true",
                        help="show an unexpected error's full traceback instead of one line")


def _note_run_dir(args: argparse.Namespace, cfg) -> None:
    """Where an unexpected error's traceback is written: the run directory, once known."""
    from synth.run.directory import RunDirectory

    args.run_dir_of_config = RunDirectory.for_config(cfg).root


def _add_address(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--address", help="Ray dashboard URL, e.g. http://HEAD:8265 "
                        "(default: $RAY_API_SERVER_ADDRESS or an http $RAY_ADDRESS)")


def _submit(args: argparse.Namespace) -> int:
    from pathlib import Path

    from synth.config.loading import load_config
    from synth.job_submission import connect, follow_logs, submit_run
    from synth.pipelines import build_stages

    # The job joins the cluster it runs on: validate for that cluster, not for this machine.
    cfg = load_config(args.config, ["ray.address=auto", *args.overrides])
    build_stages(cfg)  # the plan must wire up here before it takes a cluster slot
    working_dir = Path(args.working_dir).resolve()
    if not working_dir.is_dir():
        raise ConfigError(f"--working-dir: {args.working_dir} is not a directory")
    client = connect(args.address)
    job_id = submit_run(client, cfg, working_dir, args.job_id)
    print(f"submitted job {job_id} (run {cfg.run.name}); follow it with: synth jobs logs {job_id} --follow")
    if not args.follow:
        return 0
    status = follow_logs(client, job_id)
    print(f"job {job_id}: {status}")
    return 0 if status == "SUCCEEDED" else 1


def _view(args: argparse.Namespace) -> int:
    from synth.viewer.server import serve

    root = run_path(args.run_dir)
    if not ((root / "summary.json").exists() or (root / "stages").exists()):
        raise ConfigError(f"run_dir: {args.run_dir} is not a run directory (no summary.json "
                          "and no stages/)")
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"synth view: serving on {args.host}: anyone who can reach this machine can read "
              "the run", file=sys.stderr)
    serve(root, args.host, args.port,
          announce=lambda url: print(f"synth view: {url}  (Ctrl-C stops it)", flush=True))
    return 0


def _jobs(args: argparse.Namespace) -> int:
    from synth.job_submission import connect

    if args.action != "list" and not args.job_id:
        raise ConfigError(f"synth jobs {args.action} needs a JOB_ID")
    client = connect(args.address)
    try:
        return _job_action(client, args)
    except RuntimeError as error:  # the SDK's HTTP errors, e.g. an unknown job id
        raise JobClientError(str(error).split("\n")[0]) from None


def _job_action(client, args: argparse.Namespace) -> int:
    from synth.job_submission import follow_logs, job_table

    if args.action == "list":
        print(job_table(client.list_jobs()))
    elif args.action == "status":
        info = client.get_job_info(args.job_id)
        print(f"{args.job_id}: {info.status.value}" + (f" ({info.message})" if info.message else ""))
    elif args.action == "logs" and args.follow:
        follow_logs(client, args.job_id)
    elif args.action == "logs":
        print(client.get_job_logs(args.job_id), end="")
    else:
        stopped = client.stop_job(args.job_id)
        print(f"{args.job_id}: {'stop requested' if stopped else 'already finished'}")
    return 0


def _push(args: argparse.Namespace) -> int:
    url, files = push_run(run_path(args.run_dir), args.repo_id, private=args.private,
                          with_report=args.with_report)
    print(f"pushed {files} files to {url}")
    return 0


def _graph(args: argparse.Namespace) -> int:

    from synth.concepts.graph_inspection import GraphNotFoundError, inspect_graph

    if args.graph_command == "inspect":
        try:
            print(inspect_graph(run_path(args.run_dir), samples=args.samples))
        except GraphNotFoundError as error:
            print(f"synth: {error}", file=sys.stderr)
            return EXIT_BAD_CONFIG
        return 0
    from synth.config.loading import load_config
    from synth.pipelines.concept_methods import build_concept_graph_stages
    from synth.runner import run_pipeline

    cfg = load_config(args.config, args.overrides)
    _note_run_dir(args, cfg)
    if cfg.pipeline not in ("mathscale", "gsdp"):
        raise ConfigError(f"pipeline: synth graph needs a mathscale or gsdp config, got {cfg.pipeline!r}")
    summary = run_pipeline(cfg, build_concept_graph_stages(cfg), writes_final=False)
    print()
    print(inspect_graph(run_path(summary["run_dir"])))
    return 0


def _config_for(args: argparse.Namespace, command: Command, wanted: str | None = None):
    """The validated config `args` names, when `command` runs its kind (and, with `wanted`,
    when it is that kind); a ConfigError naming the command that does run it otherwise."""
    from synth.config.loading import load_config
    from synth.kinds import kind_named

    cfg = load_config(args.config, args.overrides)
    _note_run_dir(args, cfg)
    kind = kind_named(cfg.pipeline)
    if wanted is not None and kind.name != wanted:
        raise ConfigError(f"pipeline: synth {command} {wanted} needs `pipeline: {wanted}`, "
                          f"got {cfg.pipeline!r}")
    if kind.command != command:
        raise ConfigError(f"pipeline: {args.config} is a `pipeline: {kind.name}` config; "
                          f"run it with `{kind.command_line(args.config)}`")
    return cfg, kind


def _train(args: argparse.Namespace) -> int:
    cfg, kind = _config_for(args, Command.train, args.kind)
    outcome = kind.entry_point()(cfg)
    print()
    print(f"checkpoint: {outcome.checkpoint_dir}")
    for name, location in outcome.outputs.items():
        print(f"{name}: {location}")
    metrics = sorted(outcome.metrics.items())
    print("metrics: " + ", ".join(f"{key}={value:g}" for key, value in metrics))
    return 0


def _run(args: argparse.Namespace) -> int:
    from synth.pipelines import build_stages

    cfg, _ = _config_for(args, Command.run)
    stages = build_stages(cfg)
    if args.dry_run:
        from synth.run.directory import RunDirectory

        run_dir = RunDirectory.for_config(cfg)
        run_dir.check_writable()
        growing = run_dir.planned_changes(cfg)
        print(f"pipeline {cfg.pipeline}, run {cfg.run.name} -> {cfg.run.output_dir}/{cfg.run.name}"
              + (f" (grows: {'; '.join(growing)})" if growing else ""))
        for position, stage in enumerate(stages, start=1):
            print(f"  {position}. {stage.describe()}")
        return 0
    from synth.run.console_summary import format_summary
    from synth.runner import run_pipeline

    summary = run_pipeline(cfg, stages)
    print()
    print(format_summary(summary))
    return 0


def _eval(args: argparse.Namespace) -> int:
    from synth.evaluation.eval_runner import eval_plan, load_benchmarks
    from synth.evaluation.metrics import metrics_markdown

    cfg, kind = _config_for(args, Command.eval)
    if args.dry_run:
        print(eval_plan(cfg, load_benchmarks(cfg)))
        return 0
    metrics = kind.entry_point()(cfg)
    print()
    print(metrics_markdown(metrics))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    # parse_known_args lets overrides follow flags (`run X --dry-run a=1`); unknown flags still fail.
    args, extra = parser.parse_known_args(argv)
    unknown_flags = [item for item in extra if item.startswith("-")]
    if unknown_flags:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if extra and not hasattr(args, "overrides"):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if extra:
        args.overrides = [*args.overrides, *extra]
    args.run_dir_of_config = None  # once known, where an unexpected error's traceback goes
    if args.command in ("run", "eval", "graph", "train") and not args.verbose:
        from synth.ray_session import keep_stacks_off_the_terminal

        keep_stacks_off_the_terminal()
    previous = {s: signal.signal(s, _interrupt) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        if args.command == "run":
            return _run(args)
        if args.command == "eval":
            return _eval(args)
        if args.command == "graph":
            return _graph(args)
        if args.command == "train":
            return _train(args)
        if args.command == "submit":
            return _submit(args)
        if args.command == "jobs":
            return _jobs(args)
        if args.command == "view":
            return _view(args)
        if args.command == "push":
            return _push(args)
    except ConfigError as error:
        print(f"synth: config error: {error}", file=sys.stderr)
        return EXIT_BAD_CONFIG
    except JobClientError as error:
        print(f"synth: {error}", file=sys.stderr)
        return EXIT_BAD_CONFIG
    except PushRefused as error:  # checked before anything is uploaded
        print(f"synth push: {error}", file=sys.stderr)
        return EXIT_BAD_CONFIG
    except PushFailed as error:
        print(f"synth push: {error}", file=sys.stderr)
        return EXIT_RUN_FAILED
    except DataFileError as error:  # an empty, unreadable or malformed data file
        print(f"synth: bad input: {error}", file=sys.stderr)
        return EXIT_BAD_CONFIG
    except ModelRoleFailed as error:
        print(f"synth: {error}", file=sys.stderr)
        return EXIT_RUN_FAILED
    except Exception as error:  # nothing synth can name: one line, the traceback in logs/
        if args.verbose:
            raise
        from synth.failure_lines import save_traceback, unexpected_line, write_failure

        line = (write_failure(error, args.run_dir_of_config)
                or unexpected_line(error, save_traceback(error, args.run_dir_of_config)))
        print(f"synth: {line}", file=sys.stderr)
        return EXIT_RUN_FAILED
    except (Interrupted, KeyboardInterrupt) as stop:
        code = stop.exit_code if isinstance(stop, Interrupted) else 130
        from synth.ray_session import stop_ray_now

        stop_ray_now()
        command = shlex.join(["synth", *(sys.argv[1:] if argv is None else argv)])
        print(f"synth: stopped by {signal.Signals(code - 128).name}; answered model requests are "
              f"kept, resume with: {command}", file=sys.stderr)
        return code
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    return 1


if __name__ == "__main__":
    sys.exit(main())
