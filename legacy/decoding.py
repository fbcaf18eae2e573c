"""Legacy files in, decoded events out: in this process, or in a reader process beside it.

Decoding (reading the JSON, the codec) never touches the database, and writing
never needs the JSON: on a machine with more than one core a big migration decodes
the next event in a forked reader process while this one writes the current one.
The reader sends each decoded event through a pipe and waits while the previous
one is still being written, so at most two events are in flight whatever the file
size. The events arrive in file order; a file that cannot be read stops the run with
the same ``ReadError`` either way. If the writer dies (a kill), the reader's next
send fails and it exits.
"""

import gc
import multiprocessing
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from legacy.codec.decode import EventDecoder
from legacy.codec.rows import EventDropped, LegacyEvent, Problem
from legacy.codec.values import clean_text
from legacy.reader import DEFAULT_MAX_RECORD_MB, Document, ReadError, read_documents

# Below this much input a second process costs more than it saves.
READER_PROCESS_MIN_BYTES = 4 << 20


@dataclass
class Decoded:
    """One document of a legacy file, decoded: an event, or why it was left out."""

    where: dict
    legacy: LegacyEvent | None = None
    event_id: str | None = None
    dropped: list[Problem] = field(default_factory=list)
    event_problem: Problem | None = None  # set when the whole event was left out
    invalid_json: str | None = None  # why the document could not be read
    invalid_code: str = "INVALID_JSON"  # or RECORD_TOO_LARGE
    bytes_read: int = 0  # of the document's file when the document started


def decode(document: Document) -> Decoded:
    decoder = EventDecoder()
    for key, entry in document.registration_entries():
        decoder.add_registration(key, entry)
    where, bytes_read = document.where, document.bytes_read
    if document.error is not None:
        return Decoded(
            where,
            event_id=clean_text(document.fields.get("event_id")) or None,
            invalid_json=str(document.error),
            invalid_code=document.error.code,
            bytes_read=bytes_read,
        )
    try:
        legacy = decoder.finish(document.fields)
    except EventDropped as exc:
        event_id = clean_text(document.fields.get("event_id")) or None
        return Decoded(
            where, event_id=event_id, dropped=decoder.dropped, event_problem=exc.problem, bytes_read=bytes_read
        )
    return Decoded(where, legacy=legacy, event_id=legacy.event.event_id, bytes_read=bytes_read)


def _decode_files(paths: list[Path], max_record_mb: float) -> Iterator[tuple[Path, Decoded]]:
    for path in paths:
        for document in read_documents(path, max_record_mb=max_record_mb):
            yield path, decode(document)


def _reader_main(paths: list[Path], max_record_mb: float, receiver, sender) -> None:
    """The reader process: every decoded event down the pipe, then None (or the ReadError)."""
    receiver.close()  # the fork's copy: with it open, a dead writer would leave this blocked on a full pipe
    gc.disable()  # as in the writer: young generations only, after each event
    try:
        for item in _decode_files(paths, max_record_mb):
            sender.send(item)
            gc.collect(1)
        sender.send(None)
    except ReadError as exc:
        sender.send(exc)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the writer is gone: nothing to do
    finally:
        sender.close()


def _use_reader_process(paths: list[Path], reader_process: bool | None) -> bool:
    if reader_process is not None:
        return reader_process and "fork" in multiprocessing.get_all_start_methods()
    return (
        (os.cpu_count() or 1) > 1
        and "fork" in multiprocessing.get_all_start_methods()
        and sum(path.stat().st_size for path in paths) >= READER_PROCESS_MIN_BYTES
    )


def decoded_events(
    paths: list[Path], *, reader_process: bool | None = None, max_record_mb: float = DEFAULT_MAX_RECORD_MB
) -> Iterator[tuple[Path, Decoded]]:
    """``(path, Decoded)`` for every document of every file, in order.

    ``reader_process``: True decodes in a forked reader process, False in this one,
    None (the default) decides by the machine and the input size. ``max_record_mb``:
    the reader's cap on one record (see ``reader``).
    """
    if not _use_reader_process(paths, reader_process):
        yield from _decode_files(paths, max_record_mb)
        return
    # fork: the reader starts at once with the settings the codec reads (SECRET_KEY, the
    # enrollment pattern, the time zone) and never touches this process's database connection.
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    reader = context.Process(
        target=_reader_main, args=(paths, max_record_mb, receiver, sender), name="legacy-reader", daemon=True
    )
    reader.start()
    sender.close()
    try:
        while True:
            try:
                item = receiver.recv()
            except EOFError:
                reader.join(timeout=5)
                raise ReadError(f"the reader process stopped unexpectedly (exit code {reader.exitcode})") from None
            if item is None:
                return
            if isinstance(item, ReadError):
                raise item
            yield item
    finally:
        receiver.close()
        reader.join(timeout=5)
        if reader.is_alive():
            reader.kill()
            reader.join()
