"""The user guides in ``docs/`` as pages of the app (``/help/<page>/``), so that text on a page
can point at a guide a deployed user can open rather than at a path in the source repository.

The guides are the repository's Markdown files; a checkout reads them where they are, and an
installed package carries a copy (``backbone/docs``). Raw HTML in them is shown as text, and
links between guides (``permissions.md#roles``) become links between help pages.

>>> html = render("See [roles](permissions.md#roles) and [the API](api.md).")
>>> 'href="../permissions/#roles"' in html, 'href="../api/"' in html
(True, True)
>>> render("[an example](examples/roster.csv)")  # in the source, not served
'<p><a>an example</a></p>\\n'
>>> render("![The editor](screenshots/editor.png)")
'<p><em>(Screenshot: The editor.)</em></p>\\n'
>>> render("<script>x</script>")
'<p>&lt;script&gt;x&lt;/script&gt;</p>\\n'
"""

from __future__ import annotations

import re
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

HERE = Path(__file__).resolve().parent
# An installed package's copy first, then a checkout's docs/ (src/backbone/partnership/ → ../../..).
PLACES = (HERE.parent / "docs", HERE.parents[2] / "docs")
NAME = re.compile(r"[a-z0-9][a-z0-9-]*")
GUIDE_LINK = re.compile(r"^([a-z0-9][a-z0-9-]*)\.md(#[\w-]*)?$")
REACHABLE = re.compile(r"^(#|/|[a-z][a-z0-9+.-]*:)", re.IGNORECASE)  # anchors, paths, schemes


class NoSuchGuide(LookupError):
    """No guide of that name."""


def folder() -> Path | None:
    """Where the guides are, or None when this installation has none."""
    return next((place for place in PLACES if (place / "index.md").is_file()), None)


def guides() -> list[str]:
    """The guides' names (``indicators`` for ``indicators.md``), sorted."""
    found = folder()
    return sorted(p.stem for p in found.glob("*.md")) if found else []


def guide(name: str) -> tuple[str, str]:
    """The guide ``name``: its title (the first heading) and its body as HTML; ``NoSuchGuide``
    for a name that is not one (no paths: ``../settings`` is refused)."""
    found = folder()
    path = found / f"{name}.md" if found and NAME.fullmatch(name) else None
    if path is None or not path.is_file():
        raise NoSuchGuide(name)
    text = path.read_text(encoding="utf-8")
    heading = re.search(r"^#\s+(.+)$", text, re.M)
    return (heading.group(1).strip() if heading else name), render(text)


def render(text: str) -> str:
    """Markdown as HTML: CommonMark with tables, raw HTML escaped, guide links rewritten."""
    markdown = MarkdownIt("commonmark", {"html": False}).enable("table")
    markdown.add_render_rule("link_open", _link_open)
    markdown.add_render_rule("image", _image)
    return str(markdown.render(text))


def _image(
    renderer: RendererHTML, tokens: list[Token], index: int, options: OptionsDict, env: EnvType
) -> str:
    # Screenshots stay in the repository: the page says what the picture shows.
    described = renderer.renderInlineAsText(tokens[index].children or [], options, env)
    return f"<em>(Screenshot: {escapeHtml(described)}.)</em>"


def _link_open(
    renderer: RendererHTML, tokens: list[Token], index: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[index]
    href = str(token.attrGet("href") or "")
    target = GUIDE_LINK.match(href)
    if target:
        token.attrSet("href", f"../{target.group(1)}/{target.group(2) or ''}")
    elif not REACHABLE.match(href):
        # a file beside the guides (``examples/``) is in the source, not served: text only
        token.attrs.pop("href", None)
    return str(renderer.renderToken(tokens, index, options, env))
