import json

import pytest

from legacy.reader import CHUNK_CHARS, ReadError, read_documents

pytestmark = pytest.mark.django_db


def entry(number: int) -> dict:
    return {
        "registration_id": f"R{number}",
        "flags": [True, False, None, -12.5e3, number],
        "student_data": {"enrollment_no": f"22CSE{number:05d}", "full_name": "Ünïcode Nåme ✓"},
        "when": {"$date": {"$numberLong": str(1707000000000 + number)}},
        "revoked": False,
    }


def big_document(entries: int) -> dict:
    return {"event_id": "BIG", "registrations": {f"R{n}": entry(n) for n in range(entries)}, "sessions": ["a"]}


def read_all(path):
    out = []
    for document in read_documents(path):
        entries = list(document.registration_entries())
        out.append((document.position, document.fields, entries, document.error))
    return out


def test_a_document_larger_than_the_read_chunk_is_read_entry_by_entry(tmp_path):
    document = big_document(13000)
    text = json.dumps(document)
    assert len(text) > 3 * CHUNK_CHARS
    path = tmp_path / "big.jsonl"
    path.write_text(text + "\n" + json.dumps({"event_id": "NEXT"}) + "\n", encoding="utf-8")

    (first_line, fields, entries, error), (second_line, second, _, _) = read_all(path)

    assert error is None and (first_line, second_line) == (1, 2)
    assert fields == {"event_id": "BIG", "sessions": ["a"]}  # the field after the registrations too
    assert [key for key, _ in entries] == list(document["registrations"])
    assert entries[12999][1]["flags"] == [True, False, None, -12500.0, 12999]
    assert entries[5][1]["when"].timestamp() == 1707000000.005  # Extended JSON unwrapped
    assert second == {"event_id": "NEXT"}


def test_every_split_point_of_a_small_file_reads_the_same(tmp_path, monkeypatch):
    documents = [big_document(3), {"event_id": "B", "registrations": {}}, {"event_id": "C", "x": [1, "tr"]}]
    path = tmp_path / "events.json"
    path.write_text(json.dumps(documents, indent=1), encoding="utf-8")
    expected = read_all(path)
    for chunk in (1, 2, 3, 5, 7, 64):
        monkeypatch.setattr("legacy.reader.CHUNK_CHARS", chunk)
        assert read_all(path) == expected
    assert [position for position, *_ in expected] == [0, 1, 2]


def test_jsonl_line_numbers_count_blank_lines_and_bad_lines_are_skipped(tmp_path):
    path = tmp_path / "events.jsonl"
    path.write_text('{"event_id": "A"}\n\n{"event_id": }\n[1, 2]\n{"event_id": "D"}\n', encoding="utf-8")

    result = [(position, fields, str(error) if error else None) for position, fields, _, error in read_all(path)]

    assert result[0] == (1, {"event_id": "A"}, None)
    assert result[1][0] == 3 and result[1][2]
    assert result[2] == (4, {}, "expected an object, found list")
    assert result[3] == (5, {"event_id": "D"}, None)


def test_an_empty_array_and_an_empty_file_have_no_documents(tmp_path):
    (tmp_path / "a.json").write_text(" [ ] ")
    (tmp_path / "b.jsonl").write_text("")
    assert read_all(tmp_path / "a.json") == []
    assert read_all(tmp_path / "b.jsonl") == []


def test_an_unclosed_array_is_a_read_error(tmp_path):
    path = tmp_path / "a.json"
    path.write_text('[{"event_id": "A"}, ')
    with pytest.raises(ReadError, match="not closed"):
        read_all(path)
