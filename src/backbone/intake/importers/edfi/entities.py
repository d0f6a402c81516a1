"""Streaming an interchange's entities fast: expat builds each tree in C, Python sees each line.

The interchange's elements are built by ElementTree's C ``TreeBuilder``, whose methods are
expat's handlers, so no Python runs per element. Python runs per line fed (to give each entity
its line and hold the limits while an entity is open) and per entity finished (to check its
shape). Element names are taken as written: interchanges put their elements in the default
namespace, so they are the local names the sections look for. A file whose root has a prefix
(``<ed:InterchangeStudent>``) raises ``Prefixed`` before any entity is read; the caller reads
it with the namespace-aware builder instead.

Limits, as the namespace-aware builder holds them:

- text: no run of ``6 × max_field_chars`` bytes without a new element (a string that long, or
  a comment or attribute that long, is refused naming the last element begun); and, in an
  entity spanning more bytes than ``max_field_chars``, no text, tail or attribute longer;
- depth: ``max_xml_depth``, the root counted as 1;
- size: an entity holds at most ``ENTITY_ELEMENTS`` elements and spans at most
  ``ENTITY_BYTES`` of the file.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from itertools import chain
from typing import IO, Any
from xml.etree import ElementTree as ET

from backbone.intake.importers import bounded
from backbone.warehouse.records import IntakeLimits, Problem

ENTITY_ELEMENTS = 100_000  # elements in one entity (a Student, an attendance event) at most
ENTITY_BYTES = 4 * 1024 * 1024  # bytes of the file one entity may span at most
PIECE = 65_536  # the longest piece of a line fed at once
BATCH = 64  # finished entities handed on together (fewer, larger steps in Python)


class Prefixed(Exception):
    """The root element's name has a namespace prefix."""


class _Stream:
    """The state of one interchange being read: the root, the open entity, the limits."""

    def __init__(self, parser: Any, file: str, limits: IntakeLimits) -> None:
        self.parser, self.file, self.limits = parser, file, limits
        self.builder = ET.TreeBuilder()
        self.root: ET.Element | None = None
        self.line = 1  # the line the next piece starts on
        self.offset = 0  # bytes fed so far
        # Each open root child's line, and the offsets of the piece it began in.
        self.starts: list[tuple[int, int, int]] = []
        self.tip: ET.Element | None = None  # the last element begun, when watched
        self.tip_offset = 0
        self.guard = 6 * limits.max_field_chars + 2 * PIECE  # \uXXXX-free UTF-8: ≤ 4 bytes
        parser.StartElementHandler = self.first

    def first(self, name: str, attrs: dict[str, str]) -> None:
        """The root: kept, then every later element goes straight to the C builder."""
        if ":" in name:
            raise Prefixed
        self.root = self.builder.start(name, attrs)
        self.parser.StartElementHandler = self.builder.start
        self.parser.EndElementHandler = self.builder.end
        self.parser.CharacterDataHandler = self.builder.data

    def feed(self, piece: bytes) -> Iterator[tuple[ET.Element, int]]:
        """Parse one piece of a line; yield the entities it finished, with their lines."""
        self.parser.Parse(piece, False)
        line, start = self.line, self.offset
        self.offset += len(piece)
        self.line += piece.endswith(b"\n")
        if self.root is None:
            return
        opened = len(self.root) - len(self.starts)
        self.starts.extend([(line, start, self.offset)] * opened)
        if len(self.root) > BATCH:
            yield from self.finished(len(self.root) - 1)
        self.watch(line)

    def finished(self, count: int) -> Iterator[tuple[ET.Element, int]]:
        """The first ``count`` root children (all complete), checked, then let go."""
        assert self.root is not None
        done, self.root[:count] = self.root[:count], []
        starts, self.starts = self.starts[:count], self.starts[count:]
        # Each ended at the latest at the end of the piece where the next one began.
        ends = [end for _, _, end in starts[1:] + self.starts[:1]] + [self.offset]
        for entity, (line, start, _), end in zip(done, starts, ends, strict=False):
            self.check(entity, line, end - start)
            yield entity, line

    def close(self) -> Iterator[tuple[ET.Element, int]]:
        self.parser.Parse(b"", True)
        if self.root is not None and len(self.root):
            yield from self.finished(len(self.root))

    def watch(self, line: int) -> None:
        """Refuse a run of text with no element begun, nesting past the limit, or an entity
        growing past its budget, while it is still open."""
        begun = self.starts[-1][1] if self.starts else 0  # where the open entity began
        if self.offset - begun <= self.guard:
            return
        assert self.root is not None
        tip, depth = self.root, 1
        while len(tip):
            tip, depth = tip[-1], depth + 1
            if depth > self.limits.max_xml_depth:
                raise bounded.too_deep(self.file, line, tip.tag, self.limits)
        if tip is not self.tip:
            self.tip, self.tip_offset = tip, self.offset
        elif self.offset - self.tip_offset > self.guard:
            raise bounded.too_long(self.file, line, tip.tag, self.limits.max_field_chars)
        if self.starts and self.offset - begun > ENTITY_BYTES:
            entity_line = self.starts[-1][0]
            self.check(self.root[-1], entity_line, 0)
            message = f"one entity spans more than {ENTITY_BYTES // 1024 // 1024} MiB"
            raise bounded.Refused(
                Problem(self.file, entity_line, self.root[-1].tag, None, "too_large", message)
            )

    def check(self, entity: ET.Element, line: int, span: int) -> None:
        """Refuse ``entity`` (spanning at most ``span`` bytes) if it breaks a limit."""
        elements = list(entity.iter())  # in C: ten times cheaper than walking the levels
        if len(elements) > ENTITY_ELEMENTS:
            message = f"one entity holds more than {ENTITY_ELEMENTS:,} elements"
            tag = elements[ENTITY_ELEMENTS].tag
            raise bounded.Refused(Problem(self.file, line, tag, None, "too_large", message))
        if len(elements) + 1 > self.limits.max_xml_depth:  # else too few to nest that deep
            self.check_depth(entity, line)
        if span > self.limits.max_field_chars:  # a shorter entity cannot hold a longer text
            self.check_text(entity, line)

    def check_depth(self, entity: ET.Element, line: int) -> None:
        level, depth = [entity], 2
        while level := list(chain.from_iterable(level)):  # each level's children, in C
            depth += 1
            if depth > self.limits.max_xml_depth:
                raise bounded.too_deep(self.file, line, level[0].tag, self.limits)

    def check_text(self, element: ET.Element, line: int) -> int:
        """Refuse the first text, tail or attribute over the limit, at its line (counted from
        the entity's by the line breaks in the text before it); the line after ``element``."""
        limit = self.limits.max_field_chars
        if len(element.text or "") > limit or any(len(v) > limit for v in element.attrib.values()):
            raise bounded.too_long(self.file, line, element.tag, limit)
        line += (element.text or "").count("\n")
        for child in element:
            line = self.check_text(child, line)
            if len(child.tail or "") > limit:
                raise bounded.too_long(self.file, line, child.tag, limit)
            line += (child.tail or "").count("\n")
        return line


def xml_entities(
    stream: IO[bytes], file: str, limits: IntakeLimits
) -> Iterator[tuple[ET.Element, int]]:
    """Stream the entities under an interchange's root, one element (and its line) at a time;
    raises ``bounded.Refused`` for a DTD or past a limit, ``Prefixed`` for a prefixed root."""
    parser = bounded.xml_parser(file, namespaces=False)
    parser.buffer_text = True  # one data callback per text node, not one per line or entity
    parser.buffer_size = PIECE
    entities = _Stream(parser, file, limits)
    lines = io.BufferedReader(stream, 4 * PIECE)  # type: ignore[arg-type,type-var]  # C readline
    while piece := lines.readline(PIECE):
        yield from entities.feed(piece)
    yield from entities.close()
