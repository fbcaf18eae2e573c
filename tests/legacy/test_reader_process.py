"""Decoding in a second process gives the same rows and the same report as decoding in this one."""

import json
import os

import pytest
from django.core.management import CommandError

from legacy import decoding
from tests.legacy.conftest import table_dump, tables_empty
from tests.legacy.test_migrate_safety import messy_documents

pytestmark = pytest.mark.django_db


@pytest.fixture
def mixed_files(tmp_path, sample_path, write_jsonl, write_array):
    broken = tmp_path / "broken-line.jsonl"
    broken.write_text(json.dumps(messy_documents()[0]) + "\n{not json}\n")
    array = write_array([messy_documents()[1]])
    return [sample_path, write_jsonl(messy_documents()), broken, array]


def test_the_reader_process_gives_the_same_report_as_this_process(mixed_files, migrate):
    in_process, _ = migrate(*mixed_files, dry_run=True, reader_process="off")
    beside, _ = migrate(*mixed_files, dry_run=True, reader_process="on")

    assert beside == in_process
    assert in_process["counts"]["registrations"]["created"] > 0
    assert tables_empty()


def test_rows_written_through_the_reader_process_are_the_rows_this_process_writes(mixed_files, migrate):
    migrate(*mixed_files, reader_process="on")
    written = table_dump()

    again, _ = migrate(*mixed_files, reader_process="off")

    assert table_dump() == written
    assert written["registrations"]
    for kind, counts in again["counts"].items():
        assert counts["created"] == counts["updated"] == 0, kind


def test_a_broken_json_array_stops_the_run_the_same_way(tmp_path, migrate):
    path = tmp_path / "events.json"
    path.write_text("[" + json.dumps(messy_documents()[0]) + ", {broken")

    with pytest.raises(CommandError, match="element 1"):
        migrate(path, reader_process="on")
    assert table_dump()["events"]  # the event before the break is kept, as in one process


def test_a_reader_process_that_dies_stops_the_run_with_a_clear_error(write_jsonl, migrate, monkeypatch):
    # The reader is forked from this process, so it runs the patched decode; this process never calls it.
    monkeypatch.setattr(decoding, "decode", lambda document: os._exit(3))

    with pytest.raises(CommandError, match=r"reader process stopped unexpectedly \(exit code 3\)"):
        migrate(write_jsonl(messy_documents()), reader_process="on")
    assert tables_empty()


def test_auto_uses_a_reader_process_only_for_big_inputs_on_several_cores(tmp_path, monkeypatch):
    small = tmp_path / "small.jsonl"
    small.write_text("{}\n")
    big = tmp_path / "big.jsonl"
    big.write_bytes(b" " * decoding.READER_PROCESS_MIN_BYTES)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)

    assert decoding._use_reader_process([big], None)
    assert not decoding._use_reader_process([small], None)
    assert not decoding._use_reader_process([big], False)
    assert decoding._use_reader_process([small], True)
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert not decoding._use_reader_process([big], None)
