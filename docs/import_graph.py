"""Draw the imports between the apps as a Mermaid diagram, from the code as it is, into ARCHITECTURE.md.

    .venv/bin/python docs/import_graph.py          # rewrites the diagram between the markers
    .venv/bin/python docs/import_graph.py --print  # prints it instead

An arrow A --> B with a number: modules of A import modules of B that many times. Arrows that go
up the layers (a known debt listed in .importlinter) are drawn dotted.
"""

import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
# Top to bottom, as in .importlinter.
LAYERS = [
    "bench",
    "pages",
    "door",
    "legacy",
    "comms",
    "analytics",
    "certificates",
    "registrations",
    "events",
    "clubs",
    "eventsite",
]
BEGIN, END = "<!-- import graph: begin -->", "<!-- import graph: end -->"


def diagram() -> str:
    sys.path.insert(0, str(ROOT))
    apps = [app for app in LAYERS if (ROOT / app / "__init__.py").exists()]
    graph = grimp.build_graph(*apps, cache_dir=None)
    lines = ["```mermaid", "flowchart TD"]
    for importer in apps:
        for imported in apps:
            if importer == imported:
                continue
            count = len(graph.find_matching_direct_imports(import_expression=f"{importer}.** -> {imported}.**"))
            if count:
                upward = LAYERS.index(imported) < LAYERS.index(importer)
                arrow = f"-. {count} .->" if upward else f"-- {count} -->"
                lines.append(f"    {importer} {arrow} {imported}")
    lines.append("```")
    return "\n".join(lines)


def main() -> None:
    text = diagram()
    if "--print" in sys.argv:
        print(text)
        return
    path = ROOT / "docs" / "ARCHITECTURE.md"
    document = path.read_text(encoding="utf-8")
    before, rest = document.split(BEGIN, 1)
    _, after = rest.split(END, 1)
    path.write_text(f"{before}{BEGIN}\n{text}\n{END}{after}", encoding="utf-8")


if __name__ == "__main__":
    main()
