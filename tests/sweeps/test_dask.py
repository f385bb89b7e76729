"""Sweeps on a Dask cluster: a ``distributed.LocalCluster`` started here gives the serial table, even when a
worker dies mid-sweep; an unreachable scheduler is one line."""

from __future__ import annotations

import logging
import socket
import time

import pandas as pd
import pytest

from coop.errors import InputError
from coop.sweeps import executor
from coop.sweeps.design import make_design
from coop.sweeps.executor import SweepStore, execute, run_sweep
from tests.sweeps.helpers import Cheap, KillOnce

pytestmark = pytest.mark.dask

DESIGN = make_design(["x=0:1:41", "y=1,2"])  # 82 points
EVALUATE = Cheap(fail_at=(0.5,), bad_input_at=(0.1,))


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=logging.ERROR) as c:
        yield c


@pytest.fixture(autouse=True)
def no_scheduler_from_the_environment(monkeypatch):
    monkeypatch.delenv(executor.SCHEDULER_ENV, raising=False)


def test_serial_pool_and_cluster_give_the_same_table(cluster, tmp_path, monkeypatch):
    serial = run_sweep(EVALUATE, DESIGN, workers=1, progress=False)
    pooled = run_sweep(EVALUATE, DESIGN, workers=2, chunk_size=4, progress=False)
    on_dask = run_sweep(EVALUATE, DESIGN, scheduler=cluster.scheduler_address, chunk_size=3, progress=False,
                        store=tmp_path / "dask")
    pd.testing.assert_frame_equal(pooled, serial)
    pd.testing.assert_frame_equal(on_dask, serial)
    assert SweepStore.open(tmp_path / "dask").finished() == list(range(28))
    # the scheduler named by COOP_SCHEDULER, and a sampled design
    monkeypatch.setenv(executor.SCHEDULER_ENV, cluster.scheduler_address)
    sob = make_design(["x=0:1", "y=0.5:2"], design="lhs", points=30, seed=2)
    pd.testing.assert_frame_equal(run_sweep(EVALUATE, sob, chunk_size=4, progress=False),
                                  run_sweep(EVALUATE, sob, workers=1, scheduler="", progress=False))


def test_unreachable_scheduler_is_one_line(monkeypatch, tmp_path):
    monkeypatch.setattr(executor, "CONNECT_TIMEOUT", 0.3)  # nobody listens: refused at once, or times out
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    start = time.monotonic()
    with pytest.raises(InputError) as info:
        execute(EVALUATE, DESIGN, tmp_path / "s", scheduler=address, progress=False)
    assert time.monotonic() - start < 10
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"cannot reach the Dask scheduler at {address} (from --scheduler): ")
    assert message.endswith("is it running ('dask scheduler' starts one)?")
    assert not (tmp_path / "s").exists()  # checked before anything is written
    monkeypatch.setenv(executor.SCHEDULER_ENV, address)
    with pytest.raises(InputError, match=rf"at {address} \(from COOP_SCHEDULER\)"):
        run_sweep(EVALUATE, DESIGN, progress=False)


def test_a_worker_killed_mid_sweep_loses_and_duplicates_no_point(cluster, tmp_path):
    marker = tmp_path / "killed"
    evaluate = KillOnce(str(marker), at=0.5)  # the worker evaluating x = 0.5 (points 40, 41) dies, once
    table = run_sweep(evaluate, DESIGN, scheduler=cluster.scheduler_address, chunk_size=3, progress=False,
                      store=tmp_path / "s")
    assert marker.exists()
    assert table.index.tolist() == list(range(DESIGN.size))
    pd.testing.assert_frame_equal(table, run_sweep(Cheap(), DESIGN, workers=1, progress=False))
    store = SweepStore.open(tmp_path / "s")
    points = [r["point"] for k in store.finished() for r in store.records(k)]
    assert points == list(range(DESIGN.size))
