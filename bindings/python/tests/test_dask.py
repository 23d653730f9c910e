"""A real distributed run: dask.distributed with two worker processes repairs a partitioned bag
of inputs; the results must be identical to the in-process ones. The same code runs on a real
cluster with Client("tcp://scheduler:8786") and libfix installed on every worker."""
import logging
import os

import pytest

import libfix

distributed = pytest.importorskip("distributed", reason="needs dask.distributed (Debian: python3-distributed)")
db = pytest.importorskip("dask.bag")

# distributed 2022.12 with tornado 6.2 warns about its own event-loop use.
pytestmark = pytest.mark.filterwarnings("ignore:make_current is deprecated:DeprecationWarning")


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=None, silence_logs=logging.ERROR) as cluster:
        with distributed.Client(cluster) as c:
            c.wait_for_workers(2, timeout=60)
            yield c


def test_workers_are_separate_processes(client):
    pids = set(client.run(os.getpid).values())
    assert len(pids) == 2 and os.getpid() not in pids


def test_bag_explain_matches_in_process(client, inputs, reference):
    repairer = libfix.Repairer(target="hans")  # pickled to the workers as its options
    bag = db.from_sequence(inputs, npartitions=8)
    assert bag.map(repairer.explain).compute() == reference


def test_bag_repair_and_module_functions(client, small_inputs):
    bag = db.from_sequence(small_inputs, npartitions=4)
    repairer = libfix.Repairer(target="keep", max_depth=2)
    assert bag.map(repairer.repair).compute() == [repairer.repair(x) for x in small_inputs]
    # Module-level functions pickle by reference.
    assert (bag.map(libfix.repair, target="keep").compute()
            == [libfix.repair(x, target="keep") for x in small_inputs])


def test_work_ran_on_the_workers(client, small_inputs):
    repairer = libfix.Repairer()
    worker_pids = set(client.run(os.getpid).values())
    tagged = (db.from_sequence(small_inputs, npartitions=4)
              .map_partitions(lambda part: [(os.getpid(), repairer.repair(x)) for x in part])
              .compute())
    pids = {pid for pid, _ in tagged}
    assert pids <= worker_pids and os.getpid() not in pids
    assert [text for _, text in tagged] == [repairer.repair(x) for x in small_inputs]
