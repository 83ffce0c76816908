"""The one way the tests run ankigen: ``invoke`` in this process (click's CliRunner), or
``spawn`` in a process of its own where a test needs one (a signal, a kill, builds at the
same time, a terminal, a closed pipe, memory measured, another installation)."""

from __future__ import annotations

import os
import subprocess
import sys

from click.testing import CliRunner, Result

from ankigen.cli import main


def invoke(*args, env: dict[str, str] | None = None) -> Result:
    """``ankigen ARGS`` in this process, in the current folder, as a user runs it (``env``
    set while it runs): any exception other than a clean exit fails the test (with its
    traceback), and no traceback is ever printed."""
    result = CliRunner().invoke(main, [str(a) for a in args], env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"ankigen crashed: {result.exception!r}\n{result.output}") from result.exception
    assert "Traceback" not in result.output
    return result


def spawn(*args, cwd, env: dict[str, str] | None = None, **popen) -> subprocess.Popen:
    """``python -m ankigen ARGS`` in a process of its own, in ``cwd``; ``env`` adds to this
    process's environment; ``popen`` (stdout, stderr, text, …) goes to subprocess.Popen."""
    return subprocess.Popen([sys.executable, "-m", "ankigen", *map(str, args)], cwd=cwd,
                            env={**os.environ, **(env or {})}, **popen)


def run_process(*args, cwd, env: dict[str, str] | None = None, timeout: float = 120,
                **popen) -> subprocess.CompletedProcess:
    """``spawn`` and wait for it: its exit status, stdout and stderr (text, unless
    ``popen`` sends them elsewhere)."""
    popen = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True, **popen}
    with spawn(*args, cwd=cwd, env=env, **popen) as proc:
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
