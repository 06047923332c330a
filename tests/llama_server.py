"""A real OpenAI-compatible server on loopback: llama-cpp-python's own, serving the packaged
SmolLM2 GGUF, for tests of the HTTP engine (a fixture every test module gets through conftest),
and `free_port`, which tests that start a local server share."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import pytest
import requests

from synth.engines.packaged_models import packaged_gguf_path

MODEL = "smollm2-135m-instruct"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def llama_server():
    """`llama-cpp-python[server]` serving the same GGUF on loopback, with an API key."""
    port = free_port()
    arguments = ["--model", str(packaged_gguf_path(MODEL)), "--host", "127.0.0.1",
                 "--port", str(port), "--n_threads", "2", "--model_alias", "smollm2",
                 "--api_key", "test-key"]
    # The server loads its model the way synth's replicas do (without AMX weight repacking).
    serve = ("import runpy, sys; from synth.engines.llama_cpp_engine import without_extra_buffers\n"
             f"sys.argv = ['llama_cpp.server', *{arguments!r}]\n"
             "with without_extra_buffers(): runpy.run_module('llama_cpp.server', run_name='__main__')")
    process = subprocess.Popen([sys.executable, "-c", serve], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if requests.get(f"{url}/models", headers={"Authorization": "Bearer test-key"},
                            timeout=2).ok:
                break
        except requests.ConnectionError:
            time.sleep(0.5)
    else:
        process.kill()
        pytest.fail("llama.cpp server did not start")
    yield url
    process.terminate()
    process.wait(timeout=30)
