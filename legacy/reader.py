"""Streaming reader for mongoexport output: JSONL or one JSON array, detected.

Memory stays flat whatever the file size: the text is read in chunks and each
document is scanned field by field; the entries of its ``registrations`` object are
decoded one at a time (an event with 100,000 registrations is never one Python
object), and text already scanned is let go. Every document carries where it came
from (line number for JSONL, index for an array) so problems can point at it.

MongoDB Extended JSON wrappers (``{"$date": ...}``, ``{"$numberInt": ...}``,
``{"$oid": ...}``) are unwrapped while decoding, relaxed or canonical.

Hostile input costs one line, never the run: a value nested deeper than Python can
decode is ``INVALID_JSON``; a record longer than ``max_record_chars`` (one value held
whole: a top-level field or one registration entry) is ``RECORD_TOO_LARGE``, refused
as soon as that much has been read, and the rest of its line is skipped chunk by chunk,
so memory stays near a few times the cap even for an unterminated 200 MB line.
"""

import codecs
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from legacy.codec.values import extended_json_hook

CHUNK_CHARS = 1 << 20
DEFAULT_MAX_RECORD_MB = 32
MAX_DEPTH = 100  # legacy documents nest about ten deep; the limit does not depend on the stack in use
MB = 1 << 20
_WHITESPACE = re.compile(r"[ \t\n\r]*")


class ReadError(Exception):
    """The file cannot be read any further (missing, not UTF-8, a broken JSON array)."""


class DocumentError(Exception):
    """One document cannot be read (``INVALID_JSON``, ``RECORD_TOO_LARGE``); the reader moves on to the next line."""

    def __init__(self, message: str, offset: int, code: str = "INVALID_JSON"):
        super().__init__(message)
        self.offset = offset
        self.code = code


class _Buffer:
    """The not yet released text of a file, addressed by absolute character offsets."""

    def __init__(self, path: Path):
        try:
            self._file = path.open("rb")
        except OSError as exc:
            raise ReadError(f"{path}: cannot open: {exc.strerror or exc}") from exc
        self.path = path
        self.size = path.stat().st_size
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self.text = ""
        self.base = 0  # absolute offset of self.text[0]
        self.lines_before_base = 0
        self.eof = False
        self.bytes_read = 0

    def close(self) -> None:
        self._file.close()

    def extend(self, at_most: int | None = None) -> bool:
        """Read more text (as much again as held, so re-scans stay linear, but no more than
        ``at_most`` past one chunk); False at the end."""
        if self.eof:
            return False
        size = max(CHUNK_CHARS, len(self.text) if at_most is None else min(len(self.text), at_most))
        raw = self._file.read(size)
        self.bytes_read += len(raw)
        try:
            added = self._decoder.decode(raw, final=not raw)
        except UnicodeDecodeError as exc:
            raise ReadError(f"{self.path}: not UTF-8 text near byte {self.bytes_read}: {exc.reason}") from exc
        if not raw:
            self.eof = True
        self.text += added
        return bool(raw) or bool(added)

    def release(self, upto: int) -> None:
        """Forget the text before ``upto``, keeping line numbers right."""
        cut = upto - self.base
        if cut > CHUNK_CHARS:
            self.lines_before_base += self.text.count("\n", 0, cut)
            self.text = self.text[cut:]
            self.base = upto

    def line_of(self, offset: int) -> int:
        return self.lines_before_base + self.text.count("\n", 0, offset - self.base) + 1

    def skip_whitespace(self, offset: int) -> int:
        while True:
            end = _WHITESPACE.match(self.text, offset - self.base).end()
            if end < len(self.text):
                return end + self.base
            offset = end + self.base
            self.release(offset)  # a long run of blanks is not kept
            if not self.extend():
                return offset

    def char(self, offset: int) -> str:
        while offset - self.base >= len(self.text):
            if not self.extend():
                return ""
        return self.text[offset - self.base]


class _Scanner:
    def __init__(self, buffer: _Buffer, max_record_chars: int):
        self.buffer = buffer
        self.max_record_chars = max_record_chars
        self._scan = json.JSONDecoder(object_hook=extended_json_hook).scan_once

    def _more(self, local: int) -> bool:
        """Read on for the value starting at ``local``; refuse it once it passes the cap."""
        buffer = self.buffer
        room = self.max_record_chars - (len(buffer.text) - local)
        if room < 0:
            cap_mb = self.max_record_chars / MB
            raise DocumentError(
                f"A record longer than the {cap_mb:g} MB cap (--max-record-mb); not read.",
                buffer.base + local,
                "RECORD_TOO_LARGE",
            )
        return buffer.extend(at_most=room + 1)

    def value(self, offset: int) -> tuple[Any, int]:
        """Decode one JSON value at ``offset``; returns it and the offset after it."""
        buffer = self.buffer
        while True:
            local = offset - buffer.base
            try:
                value, end = self._scan(buffer.text, local)
            except StopIteration as stop:
                # No value where one must start; at the end of what has been read that is a
                # value (or a literal, "fal...") cut short by the chunk boundary.
                position = stop.value if isinstance(stop.value, int) else local
                if len(buffer.text) - position < 8 and self._more(local):
                    continue
                raise DocumentError("expected a JSON value", buffer.base + position) from None
            except json.JSONDecodeError as exc:
                # Text cut off by the chunk boundary fails at its very end (or inside an
                # unterminated string); anything earlier is a real error in the document.
                cut_off = exc.pos >= len(buffer.text) - 6 or exc.msg.startswith("Unterminated string")
                if cut_off and self._more(local):
                    continue
                raise DocumentError(exc.msg, buffer.base + exc.pos) from None
            except RecursionError:
                raise DocumentError(
                    f"arrays or objects nested more than {MAX_DEPTH} deep", buffer.base + local
                ) from None
            # A number or literal can end exactly at the end of what has been read so far.
            if end >= len(buffer.text) and self._more(local):
                continue
            text = buffer.text
            # Counting brackets is cheap; only a value with that many is walked.
            if text.count("[", local, end) + text.count("{", local, end) > MAX_DEPTH and _deeper_than(value, MAX_DEPTH):
                raise DocumentError(f"arrays or objects nested more than {MAX_DEPTH} deep", buffer.base + local)
            return value, end + buffer.base

    def expect(self, offset: int, chars: str) -> tuple[str, int]:
        offset = self.buffer.skip_whitespace(offset)
        char = self.buffer.char(offset)
        if not char or char not in chars:
            found = repr(char) if char else "the end of the file"
            raise DocumentError(f"expected {' or '.join(repr(c) for c in chars)}, found {found}", offset)
        return char, offset + 1


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether arrays and objects nest more than ``limit`` deep in ``value`` (walked without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


@dataclass
class Document:
    """One event document. ``fields`` holds every top-level field but ``registrations``;
    it is complete once ``registration_entries()`` has been consumed."""

    path: str
    position: int
    position_kind: str  # "line" or "index"
    bytes_read: int = 0  # of the file when the document started (read ahead in chunks)
    fields: dict = field(default_factory=dict)
    _entries: Iterator | None = None
    error: DocumentError | None = None

    def registration_entries(self) -> Iterator[tuple[str | None, Any]]:
        if self._entries is not None:
            yield from self._entries
            self._entries = None

    def drain(self) -> None:
        for _ in self.registration_entries():
            pass

    @property
    def where(self) -> dict:
        return {"file": self.path, self.position_kind: self.position}


def _document_body(scanner: _Scanner, start: int, document: Document, finished: list) -> Iterator:
    """Scan one object at ``start`` (just after its ``{``); fills ``document.fields`` as it goes and
    yields the entries of ``registrations``; appends the end offset to ``finished``."""
    buffer = scanner.buffer
    offset = buffer.skip_whitespace(start)
    if buffer.char(offset) == "}":
        finished.append(offset + 1)
        return
    while True:
        _, offset = scanner.expect(offset, '"')
        key, offset = scanner.value(offset - 1)
        _, offset = scanner.expect(offset, ":")
        offset = buffer.skip_whitespace(offset)
        if key == "registrations" and buffer.char(offset) == "{":
            offset = buffer.skip_whitespace(offset + 1)
            if buffer.char(offset) == "}":
                offset += 1
            else:
                while True:
                    _, offset = scanner.expect(offset, '"')
                    entry_key, offset = scanner.value(offset - 1)
                    _, offset = scanner.expect(offset, ":")
                    entry, offset = scanner.value(buffer.skip_whitespace(offset))
                    yield entry_key, entry
                    buffer.release(offset)
                    char, offset = scanner.expect(offset, ",}")
                    if char == "}":
                        break
        elif key == "registrations" and buffer.char(offset) == "[":
            entries, offset = scanner.value(offset)
            for entry in entries:
                yield None, entry
        else:
            document.fields[key], offset = scanner.value(offset)
            buffer.release(offset)
        char, offset = scanner.expect(offset, ",}")
        if char == "}":
            finished.append(offset)
            return


def _guarded(body: Iterator, document: Document) -> Iterator:
    try:
        yield from body
    except DocumentError as exc:
        document.error = exc


def read_documents(path: Path | str, *, max_record_mb: float = DEFAULT_MAX_RECORD_MB) -> Iterator[Document]:
    """Yield the documents of a JSONL file or a JSON array file, one at a time.

    Consume each document's ``registration_entries()`` before asking for the next one,
    then look at ``error``: a JSONL line that cannot be read (not valid JSON, nested too
    deeply, a record over ``max_record_mb``) comes back with ``error`` set and the reader
    goes on with the next line; a broken JSON array raises ``ReadError`` (nothing after
    the break can be located).
    """
    path = Path(path)
    buffer = _Buffer(path)
    scanner = _Scanner(buffer, int(max_record_mb * MB))
    try:
        offset = buffer.skip_whitespace(0)
        # mongoexport --jsonArray starts "[{" (or "[]"); a first line of "[[[..." is a bad JSONL line.
        is_array = buffer.char(offset) == "[" and buffer.char(buffer.skip_whitespace(offset + 1)) in ("{", "]")
        kind = "index" if is_array else "line"
        if is_array:
            offset = buffer.skip_whitespace(offset + 1)
            if buffer.char(offset) == "]":
                return
        index = 0
        while True:
            offset = buffer.skip_whitespace(offset)
            char = buffer.char(offset)
            if not char:
                if is_array:
                    raise ReadError(f"{path}: the JSON array is not closed")
                return
            document = Document(str(path), index if is_array else buffer.line_of(offset), kind, buffer.bytes_read)
            if char == "{":
                finished: list[int] = []
                document._entries = _guarded(_document_body(scanner, offset + 1, document, finished), document)
                yield document
                document.drain()
                if document.error is None:
                    offset = finished[0]
            else:
                try:
                    value, offset = scanner.value(offset)
                    document.error = DocumentError(f"expected an object, found {type(value).__name__}", offset)
                except DocumentError as exc:
                    document.error = exc
                yield document
            if document.error is not None:
                if is_array:
                    error = document.error
                    raise ReadError(f"{path}: element {index}: {error} (at character {error.offset})")
                offset = _next_line(buffer, document.error.offset)
            buffer.release(offset)
            index += 1
            if is_array:
                char, offset = scanner.expect(offset, ",]")
                if char == "]":
                    return
    except DocumentError as exc:
        raise ReadError(f"{path}: {exc} (at character {exc.offset})") from None
    finally:
        buffer.close()


def _next_line(buffer: _Buffer, offset: int) -> int:
    """The start of the line after ``offset``; what is skipped to get there is let go as it is searched."""
    while True:
        found = buffer.text.find("\n", max(offset - buffer.base, 0))
        if found >= 0:
            return buffer.base + found + 1
        offset = buffer.base + len(buffer.text)
        buffer.release(offset)
        if not buffer.extend():
            return offset


def read_plain_documents(
    path: Path | str, *, max_record_mb: float = DEFAULT_MAX_RECORD_MB
) -> Iterator[tuple[dict, int, str, DocumentError | None]]:
    """Small documents (the students export) as whole dicts: ``(doc, position, kind, error)``."""
    for document in read_documents(path, max_record_mb=max_record_mb):
        if document.error is not None:
            yield {}, document.position, document.position_kind, document.error
            continue
        entries = list(document.registration_entries())
        if document.error is not None:
            yield {}, document.position, document.position_kind, document.error
            continue
        fields = dict(document.fields)
        if entries:
            fields["registrations"] = dict(entries)
        yield fields, document.position, document.position_kind, None
